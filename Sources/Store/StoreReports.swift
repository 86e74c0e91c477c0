import Postgres

/// Read-only summaries of what the store holds, for the demo and operators.
public struct StoreReports {
    private let connection: Connection

    /// Creates a report reader on a connection.
    public init(connection: Connection) { self.connection = connection }

    /// Calls per UTC day and disposition, for the feed (or all feeds when nil).
    public func callsPerDayAndDisposition(feed: String?) throws -> QueryResult {
        try connection.execute(
            """
            SELECT (start_time AT TIME ZONE 'UTC')::date::text AS day, disposition, count(*) AS calls,
                   sum(billable_s) AS billable_s
            FROM cdr.call WHERE $1::text IS NULL OR feed = $1
            GROUP BY 1, 2 ORDER BY 1, 2
            """, [.optional(feed)])
    }

    /// The party that placed the most calls on a feed, for an example lookup.
    public func busiestSource(feed: String) throws -> String? {
        try connection.execute(
            "SELECT source FROM cdr.call WHERE feed = $1 GROUP BY source ORDER BY count(*) DESC, source LIMIT 1",
            [.text(feed)]
        ).scalar
    }

    /// The rejected records, newest first, for one feed or all.
    public func rejects(feed: String?, limit: Int) throws -> QueryResult {
        try connection.execute(
            """
            SELECT id, feed, source_name, byte_offset, line_number, reason,
                   raw, rejected_at
            FROM cdr.reject WHERE $1::text IS NULL OR feed = $1
            ORDER BY id DESC LIMIT $2
            """, [.optional(feed), .text(String(limit))])
    }

    /// Total rows and bytes of `cdr.call`.
    public func totals() throws -> (rows: Int64, bytes: Int64, partitions: Int) {
        let result = try connection.execute(
            "SELECT (SELECT count(*) FROM cdr.call), coalesce(sum(total_bytes), 0), count(*) FROM cdr.partitions")
        let row = result.rows[0]
        return (Int64(row[0]!)!, Int64(row[1]!)!, Int(row[2]!)!)
    }

    /// The anonymous daily statistics for UTC days `from` through `to` (`YYYY-MM-DD`).
    public func dailyTraffic(from: String, to: String) throws -> QueryResult {
        try connection.execute(
            """
            SELECT day::text, call_type, disposition, direction, destination, calls, total_seconds, billable_seconds
            FROM stats.daily_traffic WHERE day BETWEEN $1::date AND $2::date
            ORDER BY day, call_type, disposition, direction, destination
            """, [.text(from), .text(to)])
    }
}
