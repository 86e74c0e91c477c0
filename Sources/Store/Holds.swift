import CDRModel
import Foundation
import Postgres

/// Legal and billing holds: calls they cover outlive the retention ceiling while they are active.
public struct Holds {
    /// One hold as `hold list` shows it.
    public struct Hold: Sendable, Equatable {
        /// Its id.
        public var id: Int64
        /// `legal` or `billing`.
        public var kind: String
        /// Why it was placed.
        public var reason: String
        /// Identifiers it covers (normalised), source IPs included.
        public var identifiers: [String]
        /// The account it covers, if any.
        public var account: String?
        /// Its window, ISO 8601 UTC.
        public var from: String
        /// The end of its window (exclusive).
        public var to: String
        /// When it expires, if it does.
        public var expiresAt: String?
        /// Who placed it (the database login) and when.
        public var placedBy: String
        /// When it was placed.
        public var placedAt: String
        /// When, by whom and why it was released, if it was.
        public var released: String?
        /// True when it is in force now.
        public var active: Bool
    }

    private let connection: Connection

    /// Creates a helper on a connection.
    public init(connection: Connection) { self.connection = connection }

    /// Places a hold and returns its id. Identifiers are normalised like ingest; IP addresses
    /// cover the source IP. Times are microseconds since the epoch.
    public func place(
        kind: String, reason: String, identifiers: [String], account: String?, from: Int64, to: Int64,
        expires: Int64?, normaliser: NumberNormaliser
    ) throws -> Int64 {
        guard kind == "legal" || kind == "billing" else {
            throw StoreError("a hold is 'legal' or 'billing', not '\(kind)'")
        }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw StoreError("a hold needs a --reason") }
        guard from < to else { throw StoreError("the hold's --from must be before its --to") }
        var numbers: [String] = []
        var addresses: [String] = []
        for raw in identifiers {
            let identifier = try LookupIdentifier(raw, normaliser: normaliser)
            if identifier.isAddress {
                addresses.append(identifier.text)
            } else {
                numbers.append(identifier.text)
            }
        }
        if let account, account.isEmpty { throw StoreError("--account must not be empty") }
        guard !numbers.isEmpty || !addresses.isEmpty || account != nil else {
            throw StoreError("a hold needs at least one --identifier or an --account")
        }
        return try connection.transaction {
            try lockAgainstRetention()
            return try insert(
                kind: kind, reason: reason, numbers: numbers, addresses: addresses, account: account, from: from,
                to: to,
                expires: expires)
        }
    }

    /// Takes the lock that hold changes and retention runs share, until the transaction ends.
    func lockAgainstRetention() throws {
        try connection.execute("SELECT pg_advisory_xact_lock(hashtext('cdrstore'), hashtext('retention'))")
    }

    /// Inserts a checked hold inside the caller's transaction (after `lockAgainstRetention`); returns its id.
    func insert(
        kind: String, reason: String, numbers: [String], addresses: [String], account: String?, from: Int64, to: Int64,
        expires: Int64?
    ) throws -> Int64 {
        let result = try connection.execute(
            """
            INSERT INTO cdr.hold (kind, reason, identifiers, addresses, account, window_from, window_to, expires_at)
            VALUES ($1, $2, $3::text[], $4::inet[], $5, \(SQLTime.timestamp("$6")),
                    \(SQLTime.timestamp("$7")), \(SQLTime.timestamp("$8")))
            RETURNING id
            """,
            [
                .text(kind), .text(reason), .text(SQLArray.literal(numbers)), .text(SQLArray.literal(addresses)),
                .optional(account), .text(String(from)), .text(String(to)), .optional(expires.map(String.init)),
            ])
        return Int64(result.scalar!)!
    }

    /// Inserts one billing hold per account window inside the caller's transaction (after
    /// `lockAgainstRetention`); returns each account's hold id.
    func insertBillingHolds(_ windows: [(account: String, from: Int64, to: Int64, reason: String)]) throws
        -> [String: Int64]
    {
        let rows = try connection.execute(
            """
            INSERT INTO cdr.hold (kind, reason, account, window_from, window_to)
            SELECT 'billing', w.reason, w.account, \(SQLTime.timestamp("w.from_us")), \(SQLTime.timestamp("w.to_us"))
            FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) WITH ORDINALITY
                 AS w (reason, account, from_us, to_us, n)
            ORDER BY w.n
            RETURNING account, id
            """,
            [
                .text(SQLArray.literal(windows.map(\.reason))), .text(SQLArray.literal(windows.map(\.account))),
                .text(SQLArray.literal(windows.map { String($0.from) })),
                .text(SQLArray.literal(windows.map { String($0.to) })),
            ]
        ).rows
        return Dictionary(uniqueKeysWithValues: rows.map { ($0[0]!, Int64($0[1]!)!) })
    }

    /// Every hold, newest first; with `activeAt`, only those in force then.
    public func list(activeAt: Int64?, now: Int64) throws -> [Hold] {
        let iso = SQLTime.iso
        let result = try connection.execute(
            """
            SELECT h.id, h.kind, h.reason, array_to_string(h.identifiers || h.addresses::text[], ' '), h.account,
                   \(iso("h.window_from")), \(iso("h.window_to")), \(iso("h.expires_at")), h.placed_by,
                   \(iso("h.placed_at")),
                   CASE WHEN h.released_at IS NULL THEN NULL
                        ELSE \(iso("h.released_at")) || ' by ' || h.released_by || ': ' || h.release_reason END,
                   cdr.hold_in_force(h.released_at, h.expires_at, \(SQLTime.timestamp("$2")))
            FROM cdr.hold AS h
            WHERE $1::text IS NULL OR cdr.hold_in_force(h.released_at, h.expires_at, \(SQLTime.timestamp("$1")))
            ORDER BY h.id DESC
            """, [.optional(activeAt.map(String.init)), .text(String(now))])
        return result.rows.map { row in
            Hold(
                id: Int64(row[0]!)!, kind: row[1]!, reason: row[2]!,
                identifiers: row[3]!.split(separator: " ").map(String.init), account: row[4], from: row[5]!,
                to: row[6]!,
                expiresAt: row[7], placedBy: row[8]!, placedAt: row[9]!, released: row[10], active: row[11] == "t")
        }
    }

    /// Moves a hold's expiry to `until`.
    public func extend(id: Int64, until: Int64) throws {
        try connection.transaction {
            try lockAgainstRetention()
            _ = try existingHold(id)
            let updated = try connection.execute(
                "UPDATE cdr.hold SET expires_at = \(SQLTime.timestamp("$2")) WHERE id = $1 AND released_at IS NULL",
                [.text(String(id)), .text(String(until))])
            guard updated.affectedRows == 1 else {
                throw StoreError("hold \(id) was released; place a new hold instead of extending it")
            }
        }
    }

    /// Releases a hold, recording who and why; the calls it alone kept go at the next retention run.
    public func release(id: Int64, reason: String) throws {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw StoreError("releasing a hold needs a --reason")
        }
        try connection.transaction {
            try lockAgainstRetention()
            try releaseLocked(id: id, reason: reason)
        }
    }

    /// Releases a hold inside the caller's transaction (after `lockAgainstRetention`).
    func releaseLocked(id: Int64, reason: String) throws {
        if let released = try existingHold(id) {
            throw StoreError("hold \(id) was already released at \(released)")
        }
        try connection.execute(
            """
            UPDATE cdr.hold SET released_at = now(), released_by = session_user, release_reason = $2
            WHERE id = $1
            """, [.text(String(id)), .text(reason)])
    }

    /// The release description of an existing hold (nil when it is not released); throws when there is no such hold.
    private func existingHold(_ id: Int64) throws -> String? {
        let result = try connection.execute(
            "SELECT \(SQLTime.iso("released_at")) || ' by ' || released_by FROM cdr.hold WHERE id = $1",
            [.text(String(id))])
        guard let row = result.rows.first else { throw StoreError("there is no hold \(id); see cdrstore hold list") }
        return row[0]
    }
}
