import Postgres

/// The retention ceiling and floor, and the rules for changing them.
public struct RetentionPolicy: Sendable, Equatable {
    /// Months after which un-held calls must be gone.
    public var ceilingMonths: Int
    /// Months during which nothing may be removed.
    public var floorMonths: Int

    /// Creates a policy (unchecked; see `check`).
    public init(ceilingMonths: Int, floorMonths: Int) {
        self.ceilingMonths = ceilingMonths
        self.floorMonths = floorMonths
    }

    /// Throws a sentence unless the policy may be set; `override` allows a floor under 1 month
    /// and a ceiling over 120 months, never a ceiling below the floor.
    public func check(override: Bool) throws(StoreError) {
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
        let settings = try StoreSettings.load(from: connection)
        return RetentionPolicy(
            ceilingMonths: settings.retentionCeilingMonths, floorMonths: settings.retentionFloorMonths)
    }

    /// Checks and stores the policy, and records the change in `cdr.settings_log`.
    public func save(to connection: Connection, override: Bool) throws {
        try check(override: override)
        try connection.transaction {
            try connection.execute("SELECT pg_advisory_xact_lock(hashtext('cdrstore'), hashtext('retention'))")
            try connection.execute(
                """
                WITH before AS (SELECT retention_ceiling_months AS ceiling, retention_floor_months AS floor
                                FROM cdr.settings FOR UPDATE)
                INSERT INTO cdr.settings_log (ceiling_before, floor_before, ceiling_after, floor_after, override)
                SELECT ceiling, floor, $1, $2, $3 FROM before
                """, [.text(String(ceilingMonths)), .text(String(floorMonths)), .text(override ? "true" : "false")])
            try connection.execute(
                "UPDATE cdr.settings SET retention_ceiling_months = $1, retention_floor_months = $2",
                [.text(String(ceilingMonths)), .text(String(floorMonths))])
        }
    }
}
