import CDRModel
import Feeds
import Postgres

/// The start times ingest accepts: not older than the retention ceiling, not more than a day ahead.
public struct IngestWindow: Sendable, Equatable {
    /// The oldest accepted start, microseconds since the epoch.
    public let oldest: Int64
    /// The newest accepted start.
    public let newest: Int64
    /// The ceiling in months, for messages.
    public let ceilingMonths: Int

    /// The window around `now` (microseconds since the epoch) whose ceiling, `ceilingMonths`
    /// before `now`, falls at `oldest` (the store computes it: `cdr.retention_cutoff`).
    public init(now: Int64, oldest: Int64, ceilingMonths: Int) {
        self.oldest = oldest
        newest = now + 86_400 * 1_000_000
        self.ceilingMonths = ceilingMonths
    }

    /// The window of the store's current policy around `now`.
    public static func load(from connection: Connection, now: Int64) throws -> IngestWindow {
        let result = try connection.execute(
            """
            SELECT \(SQLTime.micros("cdr.retention_cutoff(\(SQLTime.timestamp("$1")))")),
                   retention_ceiling_months
            FROM cdr.settings
            """, [.text(String(now))])
        return IngestWindow(now: now, oldest: Int64(result.rows[0][0]!)!, ceilingMonths: Int(result.rows[0][1]!)!)
    }

    /// Why a call starting at `start` is refused, or nil when it is accepted.
    public func refusal(start: Int64) -> String? {
        if start < oldest {
            return "start time is older than the retention ceiling (\(ceilingMonths) months: before "
                + "\(CanonicalJSON.timestamp(oldest))); such a call must not be stored"
        }
        if start > newest {
            return
                "start time is more than a day in the future (after \(CanonicalJSON.timestamp(newest))); check the feed's clock and --tz"
        }
        return nil
    }
}
