import CDRModel

/// The start times ingest accepts: not older than the retention ceiling, not more than a day ahead.
public struct IngestWindow: Sendable, Equatable {
    /// The oldest accepted start, microseconds since the epoch.
    public let oldest: Int64
    /// The newest accepted start.
    public let newest: Int64
    /// The ceiling in months, for messages.
    public let ceilingMonths: Int

    /// The window around `now` (microseconds since the epoch) for a ceiling of `ceilingMonths`.
    public init(now: Int64, ceilingMonths: Int) {
        oldest = Self.subtractingMonths(ceilingMonths, from: now)
        newest = now + 86_400 * 1_000_000
        self.ceilingMonths = ceilingMonths
    }

    /// Why a call starting at `start` is refused, or nil when it is accepted.
    public func refusal(start: Int64) -> String? {
        if start < oldest {
            return "start time is older than the retention ceiling (\(ceilingMonths) months: before "
                + "\(Self.iso(oldest))); such a call must not be stored"
        }
        if start > newest {
            return
                "start time is more than a day in the future (after \(Self.iso(newest))); check the feed's clock and --tz"
        }
        return nil
    }

    /// `instant` moved back by whole calendar months in UTC, the day clamped to the month's length.
    public static func subtractingMonths(_ months: Int, from instant: Int64) -> Int64 {
        let seconds = instant / 1_000_000
        var civil = CivilTime(unixSeconds: seconds)
        let monthIndex = civil.year * 12 + (civil.month - 1) - months
        civil.year = monthIndex >= 0 ? monthIndex / 12 : (monthIndex - 11) / 12
        civil.month = monthIndex - civil.year * 12 + 1
        civil.day = min(civil.day, CivilTime.daysInMonth(year: civil.year, month: civil.month))
        return civil.secondsAsIfUTC * 1_000_000 + instant % 1_000_000
    }

    private static func iso(_ instant: Int64) -> String {
        var text = CivilTime(unixSeconds: instant / 1_000_000).text
        text.replaceSubrange(
            text.index(text.startIndex, offsetBy: 10)...text.index(text.startIndex, offsetBy: 10), with: "T")
        return text + "Z"
    }
}
