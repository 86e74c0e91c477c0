import Feeds
import Testing

/// CSV framing: quoted fields, doubled quotes, newlines inside quotes, line ends, incomplete and broken records.
struct CSVScannerTests {
    /// Scans `text` from `start` and returns the outcome and the fields' contents.
    private func scan(_ text: String, from start: Int = 0) -> (CSVScanner.Outcome, [String], [Bool]) {
        scan(Array(text.utf8), from: start)
    }

    private func scan(_ bytes: [UInt8], from start: Int = 0) -> (CSVScanner.Outcome, [String], [Bool]) {
        var scanner = CSVScanner()
        return bytes.withUnsafeBytes { buffer in
            let outcome = scanner.scan(buffer, from: start)
            let fields = scanner.fields.map {
                String(decoding: CSVScanner.content(of: $0, in: buffer), as: UTF8.self)
            }
            return (outcome, fields, scanner.fields.map(\.hasEscapedQuotes))
        }
    }

    @Test("Unquoted fields up to the newline")
    func unquoted() {
        let (outcome, fields, escaped) = scan("a,bc,def\nnext")
        #expect(outcome == .record(end: 9, lines: 1))
        #expect(fields == ["a", "bc", "def"])
        #expect(escaped == [false, false, false])
    }

    @Test("Quoted fields may hold commas; the quotes are not part of the content")
    func quoted() {
        let (outcome, fields, _) = scan("\"a\",\"b,c\",\"\"\n")
        #expect(outcome == .record(end: 13, lines: 1))
        #expect(fields == ["a", "b,c", ""])
    }

    @Test("A field's byte range excludes its quotes")
    func fieldRanges() throws {
        var scanner = CSVScanner()
        let bytes = Array("\"ab\",cd\n".utf8)
        let outcome = bytes.withUnsafeBytes { scanner.scan($0, from: 0) }
        #expect(outcome == .record(end: 8, lines: 1))
        try #require(scanner.fields.count == 2)
        #expect(scanner.fields[0].start == 1 && scanner.fields[0].end == 3)
        #expect(scanner.fields[1].start == 5 && scanner.fields[1].end == 7)
    }

    @Test("Doubled quotes stand for one quote")
    func doubledQuotes() {
        let (outcome, fields, escaped) = scan("\"\"\"Alice\"\" <1001>\",\"a\"\"b\"\"\"\"c\",\"plain\"\n")
        #expect(outcome == .record(end: 39, lines: 1))
        #expect(fields == ["\"Alice\" <1001>", "a\"b\"\"c", "plain"])
        #expect(escaped == [true, true, false])
    }

    @Test("A field holding only a doubled quote")
    func onlyADoubledQuote() {
        let (outcome, fields, escaped) = scan("\"\"\"\"\n")
        #expect(outcome == .record(end: 5, lines: 1))
        #expect(fields == ["\""])
        #expect(escaped == [true])
    }

    @Test("A newline inside quotes belongs to the field; the record spans several lines")
    func newlineInsideQuotes() {
        let (outcome, fields, _) = scan("\"one\ntwo\nthree\",x\nnext\n")
        #expect(outcome == .record(end: 18, lines: 3))
        #expect(fields == ["one\ntwo\nthree", "x"])
    }

    @Test("CRLF line ends: the carriage return is not part of the last field")
    func crlf() {
        let (bare, bareFields, _) = scan("a,b\r\nnext")
        #expect(bare == .record(end: 5, lines: 1))
        #expect(bareFields == ["a", "b"])
        let (quoted, quotedFields, _) = scan("\"a\",\"b\"\r\nnext")
        #expect(quoted == .record(end: 9, lines: 1))
        #expect(quotedFields == ["a", "b"])
        let (empty, emptyFields, _) = scan("a,\r\n")
        #expect(empty == .record(end: 4, lines: 1))
        #expect(emptyFields == ["a", ""])
    }

    @Test("Empty unquoted fields, and a blank line as one empty field")
    func emptyFields() {
        let (outcome, fields, _) = scan("a,,b,\n")
        #expect(outcome == .record(end: 6, lines: 1))
        #expect(fields == ["a", "", "b", ""])
        let (commas, commaFields, _) = scan(",,\n")
        #expect(commas == .record(end: 3, lines: 1))
        #expect(commaFields == ["", "", ""])
        let (blank, blankFields, _) = scan("\n")
        #expect(blank == .record(end: 1, lines: 1))
        #expect(blankFields == [""])
    }

    @Test("Scanning from an offset inside the buffer")
    func fromOffset() {
        let (outcome, fields, _) = scan("skip\n\"x\",y\n", from: 5)
        #expect(outcome == .record(end: 11, lines: 1))
        #expect(fields == ["x", "y"])
    }

    @Test(
        "needMore when the buffer ends before the record does",
        arguments: [
            "", "a", "a,b", "a,b\r", "\"", "\"abc", "\"abc\"", "\"abc\",", "\"ab\"\"", "\"abc\"\r", "\"a\nb",
            "\"a\"x", "a,\"b\nc\"",
        ])
    func needMore(text: String) {
        #expect(scan(text).0 == .needMore)
    }

    @Test("Text after a closing quote is malformed; the record ends at the line end")
    func textAfterClosingQuote() {
        let (outcome, _, _) = scan("\"a\"x,b\nnext\n")
        #expect(outcome == .malformed(reason: "unexpected text after the closing quote of field 1", end: 7, lines: 1))
        let (second, _, _) = scan("a,\"b\" ,c\n")
        #expect(second == .malformed(reason: "unexpected text after the closing quote of field 2", end: 9, lines: 1))
        let (carriageReturn, _, _) = scan("\"a\"\rb\n")
        guard case .malformed(_, let end, let lines) = carriageReturn else {
            Issue.record("expected malformed, got \(carriageReturn)")
            return
        }
        #expect(end == 6 && lines == 1)
    }

    @Test("A malformed record whose quotes span lines counts those lines")
    func malformedSpanningLines() {
        let (outcome, _, _) = scan("\"a\nb\"x\nnext\n")
        #expect(outcome == .malformed(reason: "unexpected text after the closing quote of field 1", end: 7, lines: 2))
    }

    @Test("An unquoted field may contain a quote character")
    func quoteInsideUnquotedField() {
        let (outcome, fields, _) = scan("a\"b,c\n")
        #expect(outcome == .record(end: 6, lines: 1))
        #expect(fields == ["a\"b", "c"])
    }

    @Test("content(of:) returns a field's bytes as they are, invalid UTF-8 included")
    func contentIsRawBytes() {
        var scanner = CSVScanner()
        let bytes: [UInt8] = [0x22, 0xFF, 0x41, 0x22, 0x22, 0xC3, 0x22, 0x2C, 0xFE, 0x0A]
        bytes.withUnsafeBytes { buffer in
            #expect(scanner.scan(buffer, from: 0) == .record(end: 10, lines: 1))
            #expect(
                scanner.fields.map { CSVScanner.content(of: $0, in: buffer) } == [[0xFF, 0x41, 0x22, 0xC3], [0xFE]])
        }
    }

    @Test("The fields of a previous scan are cleared")
    func fieldsCleared() {
        var scanner = CSVScanner()
        let bytes = Array("a,b,c\nd\n".utf8)
        bytes.withUnsafeBytes { buffer in
            #expect(scanner.scan(buffer, from: 0) == .record(end: 6, lines: 1))
            #expect(scanner.fields.count == 3)
            #expect(scanner.scan(buffer, from: 6) == .record(end: 8, lines: 1))
            #expect(scanner.fields.count == 1)
        }
    }
}
