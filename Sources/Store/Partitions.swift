import CDRModel
import Postgres

/// The daily partitions of `cdr.call`.
public struct Partitions {
    /// One partition as `partitions list` shows it.
    public struct Info: Sendable, Equatable {
        /// The UTC day it holds, `YYYY-MM-DD`.
        public let day: String
        /// Its table name, `call_pYYYYMMDD`.
        public let name: String
        /// Table and index bytes.
        public let totalBytes: Int64
        /// Rows: exact when counted, else the planner's estimate.
        public let rows: Int64
    }

    private let connection: Connection
    private var known: Set<Int64> = []

    /// Creates a helper on a connection.
    public init(connection: Connection) { self.connection = connection }

    /// Makes sure the partitions for these days (days since 1970-01-01, UTC) exist; returns how many it created.
    @discardableResult
    public mutating func ensure(days: some Sequence<Int64>) throws -> Int {
        var created = 0
        for day in days.sorted() where !known.contains(day) {
            let result = try connection.execute("SELECT cdr.ensure_partition($1::date)", [.text(Self.dateText(day))])
            if result.scalar == "t" { created += 1 }
            known.insert(day)
        }
        return created
    }

    /// Makes sure today's partition and those of the next `ahead` days exist.
    @discardableResult
    public mutating func ensureAhead(now: Int64, ahead: Int) throws -> Int {
        let today = now / 86_400_000_000
        return try ensure(days: today...(today + Int64(ahead)))
    }

    /// Every partition, oldest first; `exact` counts rows instead of estimating them.
    public func list(exact: Bool) throws -> [Info] {
        let result = try connection.execute(
            "SELECT day::text, partition, total_bytes, estimated_rows FROM cdr.partitions ORDER BY day")
        return try result.rows.map { row in
            let name = row[1]!
            let rows =
                exact
                ? Int64(try connection.execute("SELECT count(*) FROM cdr.\"\(name)\"").scalar!)!
                : Int64(row[3]!)!
            return Info(day: row[0]!, name: name, totalBytes: Int64(row[2]!)!, rows: rows)
        }
    }

    /// Indexes for lookups every day before `day` (days since 1970-01-01, UTC) whose partition is
    /// not indexed (new, or changed since it was indexed), oldest first, each in a transaction of
    /// its own (inserts into that day wait while it is indexed); returns the days indexed and
    /// their pairs.
    public func indexDays(before day: Int64) throws -> [(day: String, pairs: Int)] {
        try unindexedDays(before: day).map { pending in
            let pairs = try connection.execute("SELECT cdr.index_day($1::date)", [.text(pending)]).scalar!
            return (pending, Int(pairs)!)
        }
    }

    /// The days before `day` that `indexDays` would index, `YYYY-MM-DD`, oldest first.
    public func unindexedDays(before day: Int64) throws -> [String] {
        try connection.execute(
            "SELECT day::text FROM cdr.unindexed_partition WHERE day < $1::date ORDER BY day",
            [.text(Self.dateText(day))]
        ).rows.map { $0[0]! }
    }

    /// `YYYY-MM-DD` of a day number.
    static func dateText(_ day: Int64) -> String {
        String(CivilTime(unixSeconds: day * 86_400).text.prefix(10))
    }
}
