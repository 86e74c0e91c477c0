/// Decides, without touching the database, what a retention run does with each daily partition.
public enum RetentionPlanner {
    /// What happens to one day's partition.
    public enum Action: String, Sendable, Equatable {
        /// The whole day lies before the cutoff: held rows are preserved, then the partition is detached and dropped.
        case drop = "dropped"
        /// The cutoff falls inside the day: held rows are preserved, then the rows before the cutoff are deleted.
        case trim = "trimmed"
    }

    /// One decision.
    public struct Step: Sendable, Equatable {
        /// Days since 1970-01-01 (UTC).
        public let day: Int64
        /// What to do.
        public let action: Action
    }

    /// The steps for partitions of `days` (UTC day numbers), oldest first, with the cutoff and floor
    /// line in microseconds since the epoch; throws when the cutoff would cross the floor.
    public static func plan(days: [Int64], cutoff: Int64, floorLine: Int64) throws(StoreError) -> [Step] {
        guard cutoff <= floorLine else {
            throw StoreError(
                "refused: the cutoff would remove calls younger than the retention floor; check the policy and --as-of")
        }
        let microsecondsPerDay: Int64 = 86_400_000_000
        return days.sorted().compactMap { day in
            let start = day * microsecondsPerDay
            let end = start + microsecondsPerDay
            if end <= cutoff { return Step(day: day, action: .drop) }
            if start < cutoff { return Step(day: day, action: .trim) }
            return nil
        }
    }
}
