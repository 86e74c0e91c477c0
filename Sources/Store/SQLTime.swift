/// SQL fragments that move instants between Swift (microseconds since the epoch) and PostgreSQL.
enum SQLTime {
    /// SQL for a timestamptz from a parameter holding microseconds since the epoch.
    static func timestamp(_ parameter: String) -> String { "to_timestamp(\(parameter)::float8 / 1e6)" }

    /// SQL for the microseconds since the epoch of a timestamptz expression.
    static func micros(_ expression: String) -> String {
        "(extract(epoch FROM \(expression)) * 1000000)::bigint"
    }

    /// SQL for the ISO 8601 UTC text of a timestamptz expression.
    static func iso(_ expression: String) -> String {
        "to_char(\(expression) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    }
}
