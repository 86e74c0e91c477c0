import Foundation
import Synchronization

/// Writes to stdout through a buffer (fast for millions of lines) and to stderr line by line; the
/// buffer is locked, since `serve` writes to stderr from its event loops.
enum Output {
    private static let buffer = Mutex<[UInt8]>(
        {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(1 << 17)
            return bytes
        }())

    /// Queues text for stdout, writing when the buffer is full.
    static func write(_ text: String) {
        buffer.withLock { buffer in
            buffer.append(contentsOf: text.utf8)
            if buffer.count >= 1 << 16 { writeOut(&buffer) }
        }
    }

    /// Queues a line for stdout.
    static func line(_ text: String = "") { write(text + "\n") }

    /// Writes what is queued.
    static func flush() { buffer.withLock { writeOut(&$0) } }

    private static func writeOut(_ buffer: inout [UInt8]) {
        buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(1, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes a line to stderr at once (after flushing stdout, so the two stay in order).
    static func errorLine(_ text: String) {
        flush()
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// True when stderr is a terminal (for progress lines).
    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// Rewrites the progress line on a terminal.
    static func progress(_ text: String) {
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
    }

    /// Clears the progress line.
    static func endProgress() { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
}

/// Renders rows as an aligned plain-text table.
enum TextTable {
    /// The table's lines: a header, a rule, then the rows; numeric-looking columns are right-aligned.
    static func render(headers: [String], rows: [[String]]) -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        let numeric = headers.indices.map { column in
            !rows.isEmpty && rows.allSatisfy { row in row[column].allSatisfy { $0.isNumber || $0 == "," || $0 == "." } }
        }
        func format(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                return numeric[index] ? padding + cell : cell + padding
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        var lines = [format(headers), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        lines += rows.map(format)
        return lines.joined(separator: "\n")
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}

/// Number formatting for people.
enum Quantity {
    /// `1234567` → `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(abs(value))
        var result = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return value < 0 ? "-" + result : result
    }

    /// Bytes as B, KiB, MiB or GiB with one decimal.
    static func bytes(_ value: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024, unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        return unit == 0 ? "\(value) B" : String(format: "%.1f %@", amount, units[unit])
    }
}
