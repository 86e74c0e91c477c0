import CDRModel
import Feeds

/// Reads a tariff file: CSV with a header line naming the columns, one rate per line. Either every
/// rate is returned or the file is refused with every problem found; nothing partial.
public enum TariffFile {
    /// The columns every tariff file has, in the usual order.
    public static let requiredColumns = [
        "plan", "prefix", "description", "connect_fee", "rate_per_minute", "first_increment_s", "increment_s",
        "valid_from",
    ]
    /// The column a tariff file may add; empty or absent means the account's currency.
    public static let optionalColumn = "currency"
    /// The most digits a prefix may have: E.164 numbers have at most 15.
    public static let maxPrefixDigits = 15

    private typealias Problem = TariffFileRefusal.Problem

    /// The rates of a tariff file's bytes (UTF-8; a byte order mark first is skipped), in file order.
    public static func parse(_ bytes: [UInt8]) throws(TariffFileRefusal) -> [TariffRate] {
        var bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if let last = bytes.last, last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        let records = bytes.withUnsafeBytes { csvRecords($0) }
        var problems = records.problems
        guard let header = records.rows.first, header.line == 1 else {
            let empty = Problem(line: 1, reason: "the file is empty; \(headerHint)")
            throw TariffFileRefusal(problems: problems.isEmpty ? [empty] : problems)
        }
        let columns: [String: Int]
        do throws(FieldRefusal) {
            columns = try columnIndexes(header.fields)
        } catch {
            throw TariffFileRefusal(problems: [Problem(line: header.line, reason: error.reason)])
        }
        var rates: [TariffRate] = []
        var checks = TariffRowChecks()
        for row in records.rows.dropFirst() where row.fields != [""] {
            guard row.fields.count == header.fields.count else {
                problems.append(
                    Problem(
                        line: row.line,
                        reason:
                            "the line has \(row.fields.count) fields but the header names \(header.fields.count) columns; check for a missing or extra comma"
                    ))
                continue
            }
            let outcome = checks.rate(row.fields, line: row.line, columns: columns)
            problems += outcome.problems.map { Problem(line: row.line, reason: $0) }
            if let rate = outcome.rate { rates.append(rate) }
        }
        if rates.isEmpty, problems.isEmpty {
            problems.append(Problem(line: header.line, reason: "the file holds no rates after its header line"))
        }
        guard problems.isEmpty else {
            let ordered = problems.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }
            throw TariffFileRefusal(problems: ordered.map(\.element))
        }
        return rates
    }

    private static var headerHint: String {
        "its first line must name the columns: \((requiredColumns + ["[\(optionalColumn)]"]).joined(separator: ","))"
    }

    /// The column of each name in a header line; refused for an unknown, repeated or missing name.
    private static func columnIndexes(_ names: [String]) throws(FieldRefusal) -> [String: Int] {
        var indexes: [String: Int] = [:]
        var reasons: [String] = []
        for (index, name) in names.enumerated() {
            if !requiredColumns.contains(name), name != optionalColumn {
                reasons.append("'\(name.prefix(40))' is not a column name")
            } else if indexes.updateValue(index, forKey: name) != nil {
                reasons.append("column \(name) is named twice")
            }
        }
        let missing = requiredColumns.filter { indexes[$0] == nil }
        if missing.count == 1 { reasons.append("column \(missing[0]) is missing") }
        if missing.count > 1 { reasons.append("columns \(missing.joined(separator: ", ")) are missing") }
        guard reasons.isEmpty else {
            throw FieldRefusal("the header line is wrong: \(reasons.joined(separator: "; ")); \(headerHint)")
        }
        return indexes
    }

    /// The CSV records of a file with their first line numbers, and the lines that are not CSV.
    private static func csvRecords(
        _ buffer: UnsafeRawBufferPointer
    ) -> (rows: [(line: Int, fields: [String])], problems: [Problem]) {
        var scanner = CSVScanner()
        var rows: [(line: Int, fields: [String])] = []
        var problems: [Problem] = []
        var offset = 0
        var line = 1
        while offset < buffer.count {
            switch scanner.scan(buffer, from: offset) {
            case .record(let end, let lines):
                do throws(FieldRefusal) {
                    let fields = try scanner.fields.enumerated().map { (index, field) throws(FieldRefusal) in
                        try FieldValue.text(of: field, in: buffer, "field \(index + 1)")
                    }
                    rows.append((line, fields))
                } catch {
                    problems.append(Problem(line: line, reason: error.reason))
                }
                offset = end
                line += lines
            case .malformed(let reason, let end, let lines):
                problems.append(Problem(line: line, reason: "the line is not valid CSV: \(reason)"))
                offset = end
                line += lines
            case .needMore:
                problems.append(Problem(line: line, reason: "a quoted field opened on this line is never closed"))
                offset = buffer.count
            }
        }
        return (rows, problems)
    }
}
