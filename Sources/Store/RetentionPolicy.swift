import CDRModel
import Postgres

/// The retention ceiling and floor, and the rules for changing them.
public struct RetentionPolicy: Sendable, Equatable {
    /// Months after which un-held calls must be gone.
    public var ceilingMonths: Int
    /// Months during which nothing may be removed.
    public var floorMonths: Int
    /// The IANA zone whose calendar the months are counted in.
    public var zone: String

    /// Creates a policy (unchecked; see `check`).
    public init(ceilingMonths: Int, floorMonths: Int, zone: String = "UTC") {
        self.ceilingMonths = ceilingMonths
        self.floorMonths = floorMonths
        self.zone = zone
    }

    /// Throws a sentence unless the policy may be set; `override` allows a floor under 1 month
    /// and a ceiling over 120 months, never a ceiling below the floor.
    public func check(override: Bool) throws(StoreError) {
        guard ZoneClock(identifier: zone) != nil else {
            throw StoreError("unknown time zone '\(zone)'; use an IANA name such as Europe/Stockholm or UTC")
        }
        guard ceilingMonths >= 1, floorMonths >= 0 else {
            throw StoreError("the ceiling must be at least 1 month and the floor at least 0")
        }
        guard floorMonths <= ceilingMonths else {
            throw StoreError(
                "a ceiling of \(ceilingMonths) months below a floor of \(floorMonths) months is refused: "
                    + "data would have to be both kept and removed")
        }
        if !override {
            guard floorMonths >= 1 else {
                throw StoreError("a floor under 1 month needs --i-know (the change is logged)")
            }
            guard ceilingMonths <= 120 else {
                throw StoreError("a ceiling over 120 months needs --i-know (the change is logged)")
            }
        }
    }

    /// Reads the policy from `cdr.settings`.
    public static func load(from connection: Connection) throws -> RetentionPolicy {
        let result = try connection.execute(
            "SELECT retention_ceiling_months, retention_floor_months, retention_zone FROM cdr.settings")
        guard let row = result.rows.first, let ceiling = row[0].flatMap({ Int($0) }),
            let floor = row[1].flatMap({ Int($0) }), let zone = row[2]
        else { throw StoreError.schemaMissing }
        return RetentionPolicy(ceilingMonths: ceiling, floorMonths: floor, zone: zone)
    }

    /// Checks and stores the policy, and records the change in `cdr.settings_log`.
    public func save(to connection: Connection, override: Bool) throws {
        try check(override: override)
        try connection.transaction {
            try connection.execute("SELECT pg_advisory_xact_lock(hashtext('cdrstore'), hashtext('retention'))")
            // Read, then logged with plain values: Citus runs an INSERT … SELECT from a reference
            // table through a plan that needs the log's sequence, which no role but its owner has.
            let before = try connection.execute(
                "SELECT retention_ceiling_months, retention_floor_months, retention_zone FROM cdr.settings FOR UPDATE"
            ).rows[0]
            try connection.execute(
                """
                INSERT INTO cdr.settings_log (ceiling_before, floor_before, zone_before, ceiling_after, floor_after,
                                              zone_after, override)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """,
                [
                    .text(before[0]!), .text(before[1]!), .text(before[2]!), .text(String(ceilingMonths)),
                    .text(String(floorMonths)), .text(zone), .text(override ? "true" : "false"),
                ])
            try connection.execute(
                "UPDATE cdr.settings SET retention_ceiling_months = $1, retention_floor_months = $2, retention_zone = $3",
                [.text(String(ceilingMonths)), .text(String(floorMonths)), .text(zone)])
        }
    }
}
