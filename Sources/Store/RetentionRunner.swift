import Foundation
import Postgres

/// Carries out retention at a moment `asOf`: rolls up statistics, preserves held calls, drops
/// or trims the expired days, purges preserved calls no hold keeps, and logs every step; then
/// indexes for lookups the finished days that have calls not indexed yet.
public struct RetentionRunner {
    /// What a run did (or, for a dry run, would do).
    public struct Report: Sendable, Equatable {
        /// One partition's fate.
        public struct Day: Sendable, Equatable {
            /// `YYYY-MM-DD` (UTC).
            public var day: String
            /// Dropped or trimmed.
            public var action: RetentionPlanner.Action
            /// Calls removed from `cdr.call`.
            public var rowsRemoved: Int
            /// Of those, calls copied to `cdr.preserved_call` because a hold keeps them.
            public var rowsPreserved: Int
            /// Calls each hold keeps, by hold id (a call kept by two holds counts for both).
            public var preservedByHold: [Int64: Int]
            /// Statistics rows written for the day (0 when it was already rolled up).
            public var statsRows: Int
        }

        /// The moment the run stood for, ISO 8601 UTC.
        public var asOf: String
        /// Calls starting before this are expired.
        public var cutoff: String
        /// Calls starting at or after this are never removed.
        public var floorLine: String
        /// The partitions dropped or trimmed, oldest first.
        public var days: [Day]
        /// Preserved calls purged because no active hold keeps them any more.
        public var purged: Int
        /// Days before today indexed for lookups after the run (for a dry run, those it would index).
        public var indexedDays: Int
        /// True when nothing was changed.
        public var dryRun: Bool
    }

    private let connection: Connection

    /// Creates a runner on a connection.
    public init(connection: Connection) { self.connection = connection }

    /// Runs retention as of `asOf`; `now` is the real clock (microseconds since the epoch), which
    /// bounds `asOf` (at most a day ahead unless `dryRun`) and the floor.
    public func run(asOf: Int64, now: Int64, dryRun: Bool) throws -> Report {
        guard dryRun || asOf <= now + 86_400_000_000 else {
            throw StoreError("--as-of is more than a day ahead of the clock; only --dry-run may look that far ahead")
        }
        try Migrator(connection: connection).requireCurrentSchema()
        try connection.execute("SELECT pg_advisory_lock(hashtext('cdrstore'), hashtext('retention'))")
        defer { _ = try? connection.execute("SELECT pg_advisory_unlock(hashtext('cdrstore'), hashtext('retention'))") }

        let bounds = try connection.execute(
            """
            SELECT \(SQLTime.micros("cdr.retention_cutoff(a)")), \(SQLTime.micros("least(cdr.retention_floor(a), cdr.retention_floor(n))")),
                   \(SQLTime.iso("a")), \(SQLTime.iso("cdr.retention_cutoff(a)")),
                   \(SQLTime.iso("least(cdr.retention_floor(a), cdr.retention_floor(n))"))
            FROM (SELECT \(SQLTime.timestamp("$1")) AS a, \(SQLTime.timestamp("$2")) AS n) AS moments
            """, [.text(String(asOf)), .text(String(now))]
        ).rows[0]
        let cutoff = Int64(bounds[0]!)!
        let today = now / 86_400_000_000
        let steps = try RetentionPlanner.plan(days: try attachedDays(), cutoff: cutoff, floorLine: Int64(bounds[1]!)!)
        var report = Report(
            asOf: bounds[2]!, cutoff: bounds[3]!, floorLine: bounds[4]!, days: [], purged: 0, indexedDays: 0,
            dryRun: dryRun)

        try connection.execute("BEGIN")
        do {
            report.days = try prepare(steps, cutoff: cutoff, asOf: asOf)
            report.purged = try purgePreserved(cutoff: cutoff, asOf: asOf)
            for day in report.days where day.action == .trim { try log(day, report: report) }
            if report.purged > 0 { try logPurge(report) }
            if dryRun {
                // What the run would index once it has dropped the days it drops.
                let dropped = Set(report.days.filter { $0.action == .drop }.map(\.day))
                report.indexedDays = try Partitions(connection: connection).unindexedDays(before: today)
                    .filter { !dropped.contains($0) }.count
            }
            try connection.execute(dryRun ? "ROLLBACK" : "COMMIT")
        } catch {
            _ = try? connection.execute("ROLLBACK")
            throw error
        }
        guard !dryRun else { return report }
        let distributed = try Migrator(connection: connection).isDistributed()
        for day in report.days where day.action == .drop {
            try dropPartition(day.day, distributed: distributed)
            try log(day, report: report)
        }
        report.indexedDays = try Partitions(connection: connection).indexDays(before: today).count
        return report
    }

    /// Rolls up, preserves and (for a trim) deletes, inside the caller's transaction, in one pass
    /// over all the expiring days rather than one per day.
    private func prepare(_ steps: [RetentionPlanner.Step], cutoff: Int64, asOf: Int64) throws -> [Report.Day] {
        guard let first = steps.first, let last = steps.last else { return [] }
        let microsecondsPerDay: Int64 = 86_400_000_000
        let range: [QueryParameter] = [
            .text(String(first.day * microsecondsPerDay)),
            .text(String(min((last.day + 1) * microsecondsPerDay, cutoff))),
        ]
        let inRange = "start_time >= \(SQLTime.timestamp("$1")) AND start_time < \(SQLTime.timestamp("$2"))"
        let byDay = "(start_time AT TIME ZONE 'UTC')::date::text"
        let statsRows = try perDay(
            "SELECT day::text, rows_written FROM stats.roll_up_days($1::date, $2::date)",
            [.text(Partitions.dateText(first.day)), .text(Partitions.dateText(last.day))])
        var preservedByHold: [String: [Int64: Int]] = [:]
        for row in try connection.execute(
            """
            SELECT day::text, hold_id, calls
            FROM cdr.preserve_held_calls(\(SQLTime.timestamp("$1")), \(SQLTime.timestamp("$2")), \(SQLTime.timestamp("$3")))
            """, range + [.text(String(asOf))]
        ).rows {
            preservedByHold[row[0]!, default: [:]][Int64(row[1]!)!] = Int(row[2]!)!
        }
        let preserved = try perDay(
            "SELECT \(byDay), count(*) FROM cdr.preserved_call WHERE \(inRange) GROUP BY 1", range)
        // Whole partitions are counted directly (an index-only count on a vacuumed day); a trimmed day
        // counts what its DELETE removed.
        let drops = steps.filter { $0.action == .drop }.map { Partitions.dateText($0.day) }
        var removed =
            drops.isEmpty
            ? [:]
            : try perDay(
                drops.map { "SELECT '\($0)', count(*) FROM cdr.\"\(Self.partitionName($0))\"" }
                    .joined(separator: " UNION ALL "), [])
        if last.action == .trim {
            removed[Partitions.dateText(last.day)] = try connection.execute(
                "DELETE FROM cdr.call WHERE \(inRange)", [.text(String(last.day * microsecondsPerDay)), range[1]]
            ).affectedRows
        }
        // The identifier index forgets the expiring days in the same transaction; the trimmed day is
        // searched in full until it is indexed again after the run.
        try connection.execute(
            "SELECT cdr.forget_identifier_days(\(SQLTime.timestamp("$1")), \(SQLTime.timestamp("$2")))", range)
        return steps.map { step in
            let day = Partitions.dateText(step.day)
            return Report.Day(
                day: day, action: step.action, rowsRemoved: removed[day] ?? 0, rowsPreserved: preserved[day] ?? 0,
                preservedByHold: preservedByHold[day] ?? [:], statsRows: statsRows[day] ?? 0)
        }
    }

    /// A query's rows as day → count.
    private func perDay(_ sql: String, _ parameters: [QueryParameter]) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try connection.execute(sql, parameters).rows { counts[row[0]!] = Int(row[1]!)! }
        return counts
    }

    /// Re-checks which active holds keep each expired preserved call and deletes those none keeps.
    private func purgePreserved(cutoff: Int64, asOf: Int64) throws -> Int {
        let parameters: [QueryParameter] = [.text(String(cutoff)), .text(String(asOf))]
        try connection.execute(
            """
            UPDATE cdr.preserved_call AS p
            SET hold_ids = ARRAY(
                SELECT h.id FROM cdr.hold AS h
                WHERE cdr.hold_covers(
                    h.released_at, h.expires_at, h.window_from, h.window_to, h.identifiers, h.addresses, h.account,
                    p.start_time, p.source, p.destination, p.source_ip, p.account, \(SQLTime.timestamp("$2")))
                ORDER BY h.id)
            WHERE p.start_time < \(SQLTime.timestamp("$1"))
            """, parameters)
        let purged = try connection.execute(
            "DELETE FROM cdr.preserved_call WHERE start_time < \(SQLTime.timestamp("$1")) AND cardinality(hold_ids) = 0",
            [parameters[0]]
        ).affectedRows
        // A lookup that read the purged calls must not hand them out: on a single node the table's
        // trigger counts this removal too, on Citus (no triggers of distributed tables) only this does.
        if purged > 0 { try connection.execute("UPDATE cdr.removals SET count = count + 1") }
        return purged
    }

    /// Detaches the day's partition without blocking ingest and lookups for long, then drops it.
    private func dropPartition(_ day: String, distributed: Bool) throws {
        let name = Self.partitionName(day)
        let pending = try connection.execute(
            """
            SELECT i.inhdetachpending FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'cdr.call'::regclass AND c.relname = $1
            """, [.text(name)])
        if let state = pending.scalar {
            if distributed {
                try detachWaitingBriefly(name)
            } else {
                let finalize = state == "t" ? "FINALIZE" : "CONCURRENTLY"
                try connection.execute("ALTER TABLE cdr.call DETACH PARTITION cdr.\"\(name)\" \(finalize)")
            }
        }
        try connection.execute("DROP TABLE IF EXISTS cdr.\"\(name)\"")
    }

    /// How often, and how long each time, a detach on Citus waits for cdr.call's lock.
    private static let detachAttempts = 5
    private static let detachLockTimeout = "2s"

    /// Citus has no `DETACH PARTITION … CONCURRENTLY`. A plain detach takes cdr.call's ACCESS
    /// EXCLUSIVE lock on the coordinator and on each worker's shards: it waits for the ingest
    /// batches and lookups that hold the table, and the new ones queue behind it while it waits.
    /// So it waits at most `detachLockTimeout`, then lets them through for a second and tries again.
    private func detachWaitingBriefly(_ name: String) throws {
        for attempt in 1...Self.detachAttempts {
            do {
                try connection.transaction {
                    try connection.execute("SET LOCAL lock_timeout = '\(Self.detachLockTimeout)'")
                    try connection.execute("ALTER TABLE cdr.call DETACH PARTITION cdr.\"\(name)\"")
                }
                return
            } catch let error as PostgresError where error.sqlState == "55P03" {
                guard attempt < Self.detachAttempts else { break }
                Thread.sleep(forTimeInterval: 1)
            }
        }
        throw StoreError(
            "could not detach cdr.\(name) from cdr.call: ingests or lookups held the table through "
                + "\(Self.detachAttempts) waits of \(Self.detachLockTimeout); run retention again to finish")
    }

    private func log(_ day: Report.Day, report: Report) throws {
        let byHold =
            "{"
            + day.preservedByHold.keys.sorted().map { "\"\($0)\": \(day.preservedByHold[$0]!)" }
            .joined(separator: ", ") + "}"
        try connection.execute(
            """
            INSERT INTO cdr.retention_log (run_started_at, as_of, cutoff, day, action, rows_removed, rows_preserved,
                                           preserved_by_hold, stats_rows)
            VALUES (now(), $1, $2, $3::date, $4, $5, $6, $7::jsonb, $8)
            """,
            [
                .text(report.asOf), .text(report.cutoff), .text(day.day), .text(day.action.rawValue),
                .text(String(day.rowsRemoved)), .text(String(day.rowsPreserved)), .text(byHold),
                .text(String(day.statsRows)),
            ])
    }

    private func logPurge(_ report: Report) throws {
        try connection.execute(
            """
            INSERT INTO cdr.retention_log (run_started_at, as_of, cutoff, day, action, rows_removed, rows_preserved)
            VALUES (now(), $1, $2, NULL, 'purged', $3, 0)
            """, [.text(report.asOf), .text(report.cutoff), .text(String(report.purged))])
    }

    /// The UTC days of the attached partitions (and of any left detached by an interrupted run).
    private func attachedDays() throws -> [Int64] {
        let result = try connection.execute(
            """
            SELECT DISTINCT to_date(substr(c.relname, 7), 'YYYYMMDD') - date '1970-01-01'
            FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
            WHERE n.nspname = 'cdr' AND c.relkind = 'r' AND c.relname ~ '^call_p[0-9]{8}$'
            """)
        return result.rows.compactMap { $0[0].flatMap { Int64($0) } }
    }

    private static func partitionName(_ day: String) -> String {
        "call_p" + day.replacingOccurrences(of: "-", with: "")
    }
}
