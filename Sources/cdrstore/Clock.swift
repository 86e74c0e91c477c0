import Foundation

/// The wall clock, read only here at the top of the program and passed down as values.
enum WallClock {
    /// Now, microseconds since the Unix epoch.
    static func nowMicroseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()) }

    /// Today's date as days since 1970-01-01 (UTC).
    static func today() -> Int { Int(nowMicroseconds() / 86_400_000_000) }

    /// A monotonic reading in seconds, for durations.
    static func monotonicSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
