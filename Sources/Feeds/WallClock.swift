import Glibc

/// The system's wall clock.
public enum WallClock {
    /// Microseconds since the Unix epoch, now.
    @Sendable public static func microseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000_000 + Int64(time.tv_nsec) / 1_000
    }
}
