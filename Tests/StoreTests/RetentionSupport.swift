import CDRModel
import Foundation
import Postgres
import Store
import TestSupport

/// A migrated database with calls inserted directly at chosen instants, for retention tests.
struct RetentionFixture {
    let conninfo: String
    let connection: Connection

    init() throws {
        try self.init(conninfo: try TestDatabase.createMigrated(prefix: "ret"))
    }

    /// On a database already made (at an older schema, say).
    init(conninfo: String) throws {
        self.conninfo = conninfo
        connection = try Connection(conninfo)
        try connection.execute("SET TIME ZONE 'UTC'")
    }

    /// Inserts one call per start instant (ISO text), with the given parties and account.
    func insertCalls(
        _ starts: [String], source: String = "+46701234567", destination: String = "+46812345678",
        account: String? = "acme", sourceIP: String? = nil
    ) throws {
        for start in starts {
            try connection.execute(
                "SELECT cdr.ensure_partition(($1::timestamptz AT TIME ZONE 'UTC')::date)", [.text(start)])
            try connection.execute(
                """
                INSERT INTO cdr.call (start_time, answer_time, end_time, duration_s, billable_s, source, destination,
                                      source_ip, call_type, disposition, account, feed, record_key, record_hash)
                VALUES ($1::timestamptz, $1::timestamptz, $1::timestamptz + interval '60 seconds', 60, 60, $2, $3,
                        $4::inet, 'voice', 'answered', $5, 'pbx1', $1 || $2,
                        substr(sha256(convert_to($1 || $2 || $3 || coalesce($5, ''), 'UTF8')), 1, 16))
                """, [.text(start), .text(source), .text(destination), .optional(sourceIP), .optional(account)])
        }
    }

    /// Runs retention as of `asOf` (ISO text), the real clock being far later.
    @discardableResult
    func run(asOf: String, dryRun: Bool = false) throws -> RetentionRunner.Report {
        try RetentionRunner(connection: connection).run(
            asOf: Instant.parse(asOf)!, now: Instant.parse("2030-01-01")!, dryRun: dryRun)
    }

    /// Places a hold through the library.
    @discardableResult
    func hold(
        identifiers: [String] = [], account: String? = nil, from: String, to: String, expires: String? = nil,
        kind: String = "legal"
    ) throws -> Int64 {
        try Holds(connection: connection).place(
            kind: kind, reason: "case 2026-000123", identifiers: identifiers, account: account,
            from: Instant.parse(from)!, to: Instant.parse(to)!, expires: expires.flatMap(Instant.parse),
            normaliser: NumberNormaliser(countryCode: "46"))
    }

    /// An integer from a query.
    func count(_ sql: String, _ parameters: [QueryParameter] = []) throws -> Int {
        Int(try connection.execute(sql, parameters).scalar ?? "0") ?? -1
    }

    /// The days that still have a partition, `YYYY-MM-DD`, ascending.
    func partitionDays() throws -> [String] {
        try connection.execute("SELECT day::text FROM cdr.partitions ORDER BY day").rows.map { $0[0]! }
    }
}
