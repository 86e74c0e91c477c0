/// One field of a CSV record: a byte range of the scanned buffer.
public struct CSVField: Sendable {
    /// First byte of the field's content (after an opening quote).
    public var start: Int
    /// One past the last byte of the content (before a closing quote).
    public var end: Int
    /// True when the content holds doubled quotes (`""`) that stand for one quote.
    public var hasEscapedQuotes: Bool
}

/// Finds the fields of one CSV record at a time in a byte buffer: quoted fields with doubled
/// quotes, newlines inside quotes, `\n` or `\r\n` line ends. Knows nothing of any feed format.
public struct CSVScanner: Sendable {
    /// The outcome of scanning from a position.
    public enum Outcome: Equatable, Sendable {
        /// A whole record; `end` is just past its line end, `lines` the physical lines it spans.
        case record(end: Int, lines: Int)
        /// A record whose extent is known but whose syntax is broken.
        case malformed(reason: String, end: Int, lines: Int)
        /// The buffer ends before the record does.
        case needMore
    }

    /// The fields of the last record scanned.
    public private(set) var fields: [CSVField] = []

    /// Creates a scanner.
    public init() { fields.reserveCapacity(32) }

    /// Scans the record that starts at `start`.
    public mutating func scan(_ buffer: UnsafeRawBufferPointer, from start: Int) -> Outcome {
        fields.removeAll(keepingCapacity: true)
        let count = buffer.count
        let quote = UInt8(ascii: "\"")
        let comma = UInt8(ascii: ",")
        let newline = UInt8(ascii: "\n")
        let carriageReturn = UInt8(ascii: "\r")
        var index = start
        var lines = 1
        while true {
            guard index < count else { return .needMore }
            if buffer[index] == quote {
                let contentStart = index + 1
                var escaped = false
                index += 1
                while true {
                    while index < count, buffer[index] != quote {
                        if buffer[index] == newline { lines += 1 }
                        index += 1
                    }
                    guard index + 1 < count else { return .needMore }
                    if buffer[index + 1] == quote {
                        escaped = true
                        index += 2
                        continue
                    }
                    break
                }
                fields.append(CSVField(start: contentStart, end: index, hasEscapedQuotes: escaped))
                index += 1
                let next = buffer[index]
                if next == comma {
                    index += 1
                    continue
                }
                if next == newline { return .record(end: index + 1, lines: lines) }
                if next == carriageReturn {
                    guard index + 1 < count else { return .needMore }
                    if buffer[index + 1] == newline { return .record(end: index + 2, lines: lines) }
                }
                var lineEnd = index
                while lineEnd < count, buffer[lineEnd] != newline { lineEnd += 1 }
                guard lineEnd < count else { return .needMore }
                return .malformed(
                    reason: "unexpected text after the closing quote of field \(fields.count)",
                    end: lineEnd + 1, lines: lines)
            } else {
                let fieldStart = index
                while index < count, buffer[index] != comma, buffer[index] != newline { index += 1 }
                guard index < count else { return .needMore }
                if buffer[index] == comma {
                    fields.append(CSVField(start: fieldStart, end: index, hasEscapedQuotes: false))
                    index += 1
                    continue
                }
                let fieldEnd = index > fieldStart && buffer[index - 1] == carriageReturn ? index - 1 : index
                fields.append(CSVField(start: fieldStart, end: fieldEnd, hasEscapedQuotes: false))
                return .record(end: index + 1, lines: lines)
            }
        }
    }

    /// The content of `field` with doubled quotes undone.
    public static func content(of field: CSVField, in buffer: UnsafeRawBufferPointer) -> [UInt8] {
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[field.start..<field.end])
        guard field.hasEscapedQuotes else { return Array(bytes) }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var skipNext = false
        for byte in bytes {
            if skipNext {
                skipNext = false
                continue
            }
            result.append(byte)
            if byte == UInt8(ascii: "\"") { skipNext = true }
        }
        return result
    }
}
