/// Parses the moments people type on the command line into microseconds since the epoch.
public enum Instant {
    /// `YYYY-MM-DD` (midnight UTC), `YYYY-MM-DDTHH:MM:SSZ`, or with an offset `±HH:MM`; nil otherwise.
    public static func parse(_ text: String) -> Int64? {
        if let date = CivilTime.parseDate(text) { return date.secondsAsIfUTC * 1_000_000 }
        let utf8 = Array(text.utf8)
        guard utf8.count >= 20, utf8[10] == UInt8(ascii: "T") || utf8[10] == UInt8(ascii: " ") else { return nil }
        let civil = utf8[0..<19].withUnsafeBytes { CivilTime.parse($0) }
        guard let civil, civil.isValid else { return nil }
        let zone = Array(utf8[19...])
        let offsetSeconds: Int64
        if zone == [UInt8(ascii: "Z")] {
            offsetSeconds = 0
        } else if zone.count == 6, zone[0] == UInt8(ascii: "+") || zone[0] == UInt8(ascii: "-"),
            zone[3] == UInt8(ascii: ":"),
            let hours = Int64(String(decoding: zone[1..<3], as: UTF8.self)),
            let minutes = Int64(String(decoding: zone[4..<6], as: UTF8.self)), hours < 24, minutes < 60
        {
            offsetSeconds = (hours * 3600 + minutes * 60) * (zone[0] == UInt8(ascii: "-") ? -1 : 1)
        } else {
            return nil
        }
        return (civil.secondsAsIfUTC - offsetSeconds) * 1_000_000
    }
}
