import Foundation
import Synchronization

/// Converts a feed's wall-clock times to UTC in one IANA time zone, and back.
///
/// In the autumn hour that happens twice, a wall time takes the earlier offset (the first
/// occurrence); a wall time inside the spring gap does not exist and is refused.
/// Results are cached per quarter hour of wall time, since zones change offset only on such
/// boundaries; the cache is locked, so that the parsers of concurrent pushes may share one clock.
public final class ZoneClock: Sendable {
    private struct Cache {
        var offsetsByQuarterHour: [Int64: Int64?] = [:]
        var lastQuarter: Int64 = .min
        var lastOffset: Int64?
    }

    /// The IANA name, e.g. `Europe/Stockholm`.
    public let identifier: String
    private let zone: TimeZone
    private let cache = Mutex(Cache())

    /// Creates a converter; fails when the name is not an IANA time zone this system knows.
    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier), Self.isIANAName(identifier) else { return nil }
        self.identifier = identifier
        self.zone = zone
    }

    /// True for names in the system's time-zone database (`/usr/share/zoneinfo`) or Foundation's list,
    /// which refuses offset spellings such as `GMT+2` whose sign conventions differ.
    private static func isIANAName(_ identifier: String) -> Bool {
        guard !identifier.contains(".."), !identifier.hasPrefix("/") else { return false }
        return FileManager.default.fileExists(atPath: "/usr/share/zoneinfo/" + identifier)
            || TimeZone.knownTimeZoneIdentifiers.contains(identifier)
    }

    /// UTC seconds since the epoch for a wall time, or nil when it falls in a spring-forward gap.
    public func utcSeconds(for civil: CivilTime) -> Int64? {
        let local = civil.secondsAsIfUTC
        let quarter = local >= 0 ? local / 900 : (local - 899) / 900
        let offset = cache.withLock { cache -> Int64? in
            if quarter == cache.lastQuarter { return cache.lastOffset }
            let offset: Int64?
            if let cached = cache.offsetsByQuarterHour[quarter] {
                offset = cached
            } else {
                offset = resolveOffset(localSeconds: quarter * 900)
                cache.offsetsByQuarterHour[quarter] = offset
            }
            cache.lastQuarter = quarter
            cache.lastOffset = offset
            return offset
        }
        return offset.map { local - $0 }
    }

    /// The wall time in this zone of a UTC instant.
    public func civilTime(unixSeconds: Int64) -> CivilTime {
        CivilTime(unixSeconds: unixSeconds + offset(at: unixSeconds))
    }

    private func offset(at unixSeconds: Int64) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(unixSeconds))))
    }

    private func resolveOffset(localSeconds: Int64) -> Int64? {
        let candidates = Set([offset(at: localSeconds - 86_400), offset(at: localSeconds + 86_400)])
        let valid = candidates.filter { offset(at: localSeconds - $0) == $0 }
        return valid.max()
    }
}
