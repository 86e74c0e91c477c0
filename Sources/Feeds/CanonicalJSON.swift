import CDRModel

/// cdrstore's canonical record as one line of JSON, keys named like `cdr.call`'s columns and
/// times in ISO 8601 UTC; also the line `cdrstore parse` prints for a rejected record.
public enum CanonicalJSON {
    /// The JSON object of a record, keys in the table's column order; absent values are `null`.
    public static func line(for record: CallRecord) -> String {
        var writer = JSONObjectWriter()
        writer.add("start_time", timestamp(record.startTime))
        writer.add("answer_time", record.answerTime.map(timestamp))
        writer.add("end_time", timestamp(record.endTime))
        writer.add("duration_s", Int(record.durationSeconds))
        writer.add("billable_s", Int(record.billableSeconds))
        writer.add("source", record.source)
        writer.add("destination", record.destination)
        writer.add("source_ip", record.sourceIP?.description)
        writer.add("call_type", record.callType.rawValue)
        writer.add("disposition", record.disposition.rawValue)
        writer.add("equipment", record.equipment)
        writer.add("account", record.account)
        writer.add("record_key", record.recordKey)
        writer.add("linked_key", record.linkedKey)
        return writer.finish()
    }

    /// The JSON object of a rejection: the reason, where it was, and its bytes (invalid UTF-8 shown as U+FFFD).
    public static func line(for rejection: Rejection) -> String {
        var position = JSONObjectWriter()
        position.add("offset", Int(rejection.offset))
        position.add("line", Int(rejection.line))
        var writer = JSONObjectWriter()
        writer.add("reject", rejection.reason)
        writer.addRaw("position", position.finish())
        writer.add("raw", String(decoding: rejection.raw, as: UTF8.self))
        return writer.finish()
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, with microseconds only when there are any.
    public static func timestamp(_ unixMicroseconds: Int64) -> String {
        let seconds = unixMicroseconds >= 0 ? unixMicroseconds / 1_000_000 : (unixMicroseconds - 999_999) / 1_000_000
        let micros = unixMicroseconds - seconds * 1_000_000
        var text = CivilTime(unixSeconds: seconds).text
        text = text.replacingFirstSpace(with: "T")
        if micros != 0 {
            let digits = String(micros)
            text += "." + String(repeating: "0", count: 6 - digits.count) + digits
        }
        return text + "Z"
    }
}

/// Writes one flat JSON object, keys in the order added.
public struct JSONObjectWriter {
    private var text = "{"
    private var first = true

    /// Starts an empty object.
    public init() {}

    /// Adds a string, or `null`.
    public mutating func add(_ key: String, _ value: String?) {
        addRaw(key, value.map(Self.quoted) ?? "null")
    }

    /// Adds an integer, or `null`.
    public mutating func add(_ key: String, _ value: Int?) {
        addRaw(key, value.map(String.init) ?? "null")
    }

    /// Adds `true` or `false`.
    public mutating func add(_ key: String, _ value: Bool) {
        addRaw(key, value ? "true" : "false")
    }

    /// Adds a number with a fractional part, printed with `digits` decimals.
    public mutating func add(_ key: String, _ value: Double, digits: Int) {
        var rounded = String(Int((value * pow10(digits)).rounded()))
        if digits > 0 {
            let negative = rounded.hasPrefix("-")
            if negative { rounded.removeFirst() }
            while rounded.count <= digits { rounded = "0" + rounded }
            rounded.insert(".", at: rounded.index(rounded.endIndex, offsetBy: -digits))
            if negative { rounded = "-" + rounded }
        }
        addRaw(key, rounded)
    }

    /// Adds a value that is already JSON.
    public mutating func addRaw(_ key: String, _ json: String) {
        if !first { text += "," }
        first = false
        text += Self.quoted(key) + ":" + json
    }

    /// Closes the object and returns its text.
    public func finish() -> String { text + "}" }

    /// A JSON string literal.
    public static func quoted(_ value: String) -> String {
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            return "\"" + value + "\""
        }
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    private func pow10(_ digits: Int) -> Double { (0..<digits).reduce(1.0) { value, _ in value * 10 } }
}

extension String {
    fileprivate func replacingFirstSpace(with replacement: Character) -> String {
        guard let space = firstIndex(of: " ") else { return self }
        var copy = self
        copy.replaceSubrange(space...space, with: String(replacement))
        return copy
    }
}
