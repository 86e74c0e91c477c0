import CDRModel

/// Why a field of a record cannot be used, in words an operator can act on.
public struct FieldRefusal: Error, Sendable {
    /// The sentence.
    public let reason: String

    /// Creates a refusal.
    public init(_ reason: String) { self.reason = reason }
}

/// Typed values read from the raw bytes of a record's fields: the rules every feed decoder shares.
public enum FieldValue {
    /// The longest call accepted: 7 days.
    public static let maxDurationSeconds = 7 * 86_400

    /// The first 40 bytes of a field, for messages.
    public static func shown(_ raw: UnsafeRawBufferPointer) -> String {
        String(decoding: raw.prefix(40), as: UTF8.self)
    }

    /// The text of UTF-8 bytes, or nil when they are not valid UTF-8 (ASCII, the usual case, is checked fast).
    public static func string(validating raw: UnsafeRawBufferPointer) -> String? {
        for byte in raw where byte >= 0x80 { return String(validating: raw, as: UTF8.self) }
        return String(decoding: raw, as: UTF8.self)
    }

    /// The text of a field, refused when it is not valid UTF-8.
    public static func text(_ raw: UnsafeRawBufferPointer, _ name: String) throws(FieldRefusal) -> String {
        guard let text = string(validating: raw) else { throw FieldRefusal("\(name) is not valid UTF-8") }
        return text
    }

    /// The text of a CSV field with doubled quotes undone, refused when it is not valid UTF-8.
    public static func text(
        of field: CSVField, in buffer: UnsafeRawBufferPointer, _ name: String
    ) throws(FieldRefusal) -> String {
        guard field.hasEscapedQuotes else {
            return try text(UnsafeRawBufferPointer(rebasing: buffer[field.start..<field.end]), name)
        }
        guard let decoded = String(validating: CSVScanner.content(of: field, in: buffer), as: UTF8.self) else {
            throw FieldRefusal("\(name) is not valid UTF-8")
        }
        return decoded
    }

    /// The text of a field, or nil when it is empty.
    public static func optionalText(_ raw: UnsafeRawBufferPointer, _ name: String) throws(FieldRefusal) -> String? {
        raw.isEmpty ? nil : try text(raw, name)
    }

    /// A party: E.164 straight from the bytes when certain, else the text as written; refused when
    /// it is not valid UTF-8.
    public static func party(
        _ raw: UnsafeRawBufferPointer, _ name: String, normaliser: NumberNormaliser
    ) throws(FieldRefusal) -> String {
        if let e164 = normaliser.e164(raw) { return e164 }
        return try text(raw, name)
    }

    /// A wall-clock time `YYYY-MM-DD HH:MM:SS` in `clock`'s zone, as µs since the epoch; nil when
    /// the field is empty and not `required`.
    public static func wallTime(
        _ raw: UnsafeRawBufferPointer, _ name: String, clock: ZoneClock, required: Bool
    ) throws(FieldRefusal) -> Int64? {
        if raw.isEmpty {
            if required { throw FieldRefusal("\(name) time is empty") }
            return nil
        }
        guard let civil = CivilTime.parse(raw) else {
            throw FieldRefusal("\(name) time '\(shown(raw))' is not in the form YYYY-MM-DD HH:MM:SS")
        }
        guard civil.isValid else { throw FieldRefusal("\(name) time '\(shown(raw))' is not a real date and time") }
        guard let seconds = clock.utcSeconds(for: civil) else {
            throw FieldRefusal(
                "\(name) time '\(shown(raw))' does not exist in \(clock.identifier) (the clocks skip it when summer time starts)"
            )
        }
        return seconds * 1_000_000
    }

    /// Runs a field rule over the UTF-8 bytes of a decoded text (a JSON string, a percent-decoded value).
    public static func reading<Value>(
        _ text: String, _ rule: (UnsafeRawBufferPointer) throws(FieldRefusal) -> Value
    ) throws(FieldRefusal) -> Value {
        var text = text
        return try text.withUTF8 { utf8 in
            Result { () throws(FieldRefusal) in try rule(UnsafeRawBufferPointer(utf8)) }
        }.get()
    }

    /// Bytes with each `%XX` replaced by the byte it encodes, and `+` by a space when `plusIsSpace`
    /// (form bodies); a `%` that is not followed by two hexadecimal digits stays as it is.
    public static func percentDecoded(_ bytes: some Collection<UInt8>, plusIsSpace: Bool) -> [UInt8] {
        let bytes = Array(bytes)
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count, let high = hexValue(bytes[index + 1]),
                let low = hexValue(bytes[index + 2])
            {
                decoded.append(high << 4 | low)
                index += 3
                continue
            }
            decoded.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index += 1
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// An ISO 8601 instant `YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1 to 6 digits, then `Z` or
    /// an offset `±HH:MM`, as µs since the epoch.
    public static func instant(_ raw: UnsafeRawBufferPointer, _ name: String) throws(FieldRefusal) -> Int64 {
        let form = "\(name) '\(shown(raw))' is not an ISO 8601 time such as 2026-10-11T12:03:27Z"
        guard raw.count >= 20, let civil = CivilTime.parse(UnsafeRawBufferPointer(rebasing: raw[0..<19])),
            raw[10] == UInt8(ascii: "T")
        else { throw FieldRefusal(form) }
        guard civil.isValid else { throw FieldRefusal("\(name) '\(shown(raw))' is not a real date and time") }
        var index = 19
        var micros: Int64 = 0
        if raw[index] == UInt8(ascii: ".") {
            let fraction = raw[(index + 1)...].prefix { $0 &- UInt8(ascii: "0") < 10 }
            guard (1...6).contains(fraction.count) else {
                throw FieldRefusal("\(name) '\(shown(raw))' has a fraction of more than 6 digits or none")
            }
            for digit in fraction { micros = micros * 10 + Int64(digit - UInt8(ascii: "0")) }
            for _ in fraction.count..<6 { micros *= 10 }
            index += 1 + fraction.count
        }
        var offsetSeconds: Int64 = 0
        let zone = UnsafeRawBufferPointer(rebasing: raw[index...])
        if zone.count == 6, zone[0] == UInt8(ascii: "+") || zone[0] == UInt8(ascii: "-"), zone[3] == UInt8(ascii: ":"),
            let hours = digits(UnsafeRawBufferPointer(rebasing: zone[1..<3])),
            let minutes = digits(UnsafeRawBufferPointer(rebasing: zone[4..<6])), hours < 24, minutes < 60
        {
            offsetSeconds = (hours * 3600 + minutes * 60) * (zone[0] == UInt8(ascii: "-") ? -1 : 1)
        } else if !(zone.count == 1 && zone[0] == UInt8(ascii: "Z")) {
            throw FieldRefusal(form)
        }
        return (civil.secondsAsIfUTC - offsetSeconds) * 1_000_000 + micros
    }

    /// A time written as whole seconds since the Unix epoch (UTC), as µs since the epoch; nil when it
    /// is 0 or empty and not `required`.
    public static func unixSeconds(
        _ raw: UnsafeRawBufferPointer, _ name: String, required: Bool
    ) throws(FieldRefusal) -> Int64? {
        if !required, raw.isEmpty { return nil }
        guard let seconds = digits(raw) else {
            throw FieldRefusal("\(name) '\(shown(raw))' is not a whole number of seconds since 1970")
        }
        guard seconds != 0 else {
            if required { throw FieldRefusal("\(name) is 0 (no time)") }
            return nil
        }
        guard seconds <= 253_402_300_799 else { throw FieldRefusal("\(name) \(seconds) is after the year 9999") }
        return seconds * 1_000_000
    }

    /// A non-negative whole number of decimal digits (at most 18), or nil when the field is anything else.
    public static func digits(_ raw: UnsafeRawBufferPointer) -> Int64? {
        guard !raw.isEmpty, raw.count <= 18 else { return nil }
        var value: Int64 = 0
        for byte in raw {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int64(digit)
        }
        return value
    }

    /// A whole number of seconds from 0 to 7 days.
    public static func seconds(_ raw: UnsafeRawBufferPointer, _ name: String) throws(FieldRefusal) -> Int32 {
        guard let value = digits(raw) else {
            if raw.first == UInt8(ascii: "-") { throw FieldRefusal("\(name) '\(shown(raw))' is negative") }
            throw FieldRefusal("\(name) '\(shown(raw))' is not a whole number of seconds")
        }
        guard value <= maxDurationSeconds else { throw FieldRefusal("\(name) of \(value) s is longer than 7 days") }
        return Int32(value)
    }

    /// Checks that a call's times and durations agree: end not before start, answer inside the call,
    /// billable seconds not above the duration.
    public static func checkTimes(
        start: Int64, answer: Int64?, end: Int64, duration: Int32, billable: Int32
    ) throws(FieldRefusal) {
        guard end >= start else { throw FieldRefusal("end time is before start time") }
        if let answer, answer < start || answer > end {
            throw FieldRefusal("answer time is outside the call (before its start or after its end)")
        }
        guard billable <= duration else {
            throw FieldRefusal("billable seconds (\(billable)) are more than the duration (\(duration))")
        }
        guard end - start <= Int64(maxDurationSeconds) * 1_000_000 else {
            throw FieldRefusal("the call lasts longer than 7 days (start to end)")
        }
    }

    /// Seconds between two instants in µs, rounded down, for feeds that give times but no durations.
    public static func secondsBetween(_ from: Int64, _ to: Int64) -> Int32 {
        Int32(clamping: max(0, to - from) / 1_000_000)
    }
}
