import CDRModel
import Feeds
import Testing

/// Record framing of the CSV feed parser: positions, blank lines, unfinished last lines, unbalanced
/// quotes and oversized records.
struct CSVFeedParserTests {
    /// A good line whose uniqueid ends in `.key`.
    private func row(_ key: Int, lineEnd: String = "\n", quoted: Bool = true) -> AsteriskRow {
        var row = AsteriskRow()
        row.extra = ["1760184207.\(key)", ""]
        row.lineEnd = lineEnd
        row.quoted = quoted
        if !quoted {
            row.callerID = "Alice <0701234567>"
            row.lastData = "SIP/trunk/0046812345678"
        }
        return row
    }

    private func keys(_ events: [ParsedEvent]) -> [String?] { events.map { $0.call?.recordKey } }

    @Test("Positions: offsets from the base offset, physical line numbers, records spanning lines")
    func positions() throws {
        var multiLine = row(2)
        multiLine.callerID = "Alice\nSmith"
        let lines = [row(1, lineEnd: "\r\n").bytes, multiLine.bytes, row(3).bytes]
        var parser = try stockholmParser()
        let outcome = parseOnce(&parser, lines.flatMap { $0 }, baseOffset: 1_000)
        #expect(outcome.consumed == lines.map(\.count).reduce(0, +))
        try #require(outcome.events.count == 3)
        let ends = [1_000 + lines[0].count, 1_000 + lines[0].count + lines[1].count]
        #expect(
            outcome.events.map(\.position) == [
                RecordPosition(offset: 1_000, endOffset: Int64(ends[0]), line: 1, endLines: 1),
                RecordPosition(offset: Int64(ends[0]), endOffset: Int64(ends[1]), line: 2, endLines: 3),
                RecordPosition(
                    offset: Int64(ends[1]), endOffset: Int64(ends[1] + lines[2].count), line: 4, endLines: 4),
            ])
        #expect(outcome.events[0].raw == Array(lines[0].dropLast(2)))
        #expect(outcome.events[1].raw == Array(lines[1].dropLast()))
        #expect(keys(outcome.events) == ["1760184207.1", "1760184207.2", "1760184207.3"])
        #expect(parser.linesConsumed == 4)
    }

    @Test("Line numbers continue from linesConsumed when resuming mid-file")
    func resumeLineNumbers() throws {
        var parser = try stockholmParser()
        parser.linesConsumed = 41
        let input = row(1).bytes + row(2).bytes
        let outcome = parseOnce(&parser, input, baseOffset: 5_000)
        #expect(outcome.events.map(\.position.line) == [42, 43])
        #expect(outcome.events.map(\.position.offset) == [5_000, 5_000 + Int64(row(1).bytes.count)])
        #expect(parser.linesConsumed == 43)
    }

    @Test("Blank lines are skipped but counted")
    func blankLines() throws {
        let input = Array("\n".utf8) + row(1).bytes + Array("\n\r\n".utf8) + row(2).bytes + Array("\n".utf8)
        var parser = try stockholmParser()
        let outcome = parseOnce(&parser, input)
        #expect(outcome.consumed == input.count)
        #expect(keys(outcome.events) == ["1760184207.1", "1760184207.2"])
        #expect(outcome.events.map(\.position.line) == [2, 5])
        #expect(outcome.events.map(\.position.offset) == [1, Int64(1 + row(1).bytes.count + 3)])
        #expect(parser.linesConsumed == 6)
    }

    @Test("An unterminated last line is left for the next run, neither parsed nor refused")
    func trailingFragment() throws {
        var unfinished = row(2)
        unfinished.lineEnd = ""
        var broken = row(3)
        broken.lineEnd = ""
        broken.account = "acme\" junk"
        for fragment in [unfinished.bytes, Array(broken.text.dropLast(30).utf8), Array("\"acme".utf8)] {
            for atEnd in [true, false] {
                var parser = try stockholmParser()
                let outcome = parseOnce(&parser, row(1).bytes + fragment, atEnd: atEnd)
                #expect(keys(outcome.events) == ["1760184207.1"])
                #expect(outcome.consumed == row(1).bytes.count)
                #expect(parser.linesConsumed == 1)
            }
        }
    }

    @Test("A fragment completed by a later read is parsed then, with the right position")
    func fragmentCompletedLater() throws {
        let whole = row(1).bytes + row(2).bytes
        let cut = row(1).bytes.count + 50
        var parser = try stockholmParser()
        let first = parseOnce(&parser, Array(whole[..<cut]), atEnd: true)
        #expect(first.consumed == row(1).bytes.count)
        let second = parseOnce(&parser, Array(whole[first.consumed...]), baseOffset: Int64(first.consumed))
        #expect(keys(second.events) == ["1760184207.2"])
        #expect(
            second.events.first?.position
                == RecordPosition(
                    offset: Int64(row(1).bytes.count), endOffset: Int64(whole.count), line: 2, endLines: 2))
    }

    @Test("An unbalanced quote at the end of input refuses only the line it opened on")
    func unbalancedQuoteAtEnd() throws {
        var bad = row(2, quoted: false)
        bad.account = "\"acme"  // opens a quote that nothing closes
        let lines = [row(1).bytes, bad.bytes, row(3, quoted: false).bytes, row(4, quoted: false).bytes]
        let input = lines.flatMap { $0 }
        let outcome = try parseAll(input, atEnd: true)
        #expect(outcome.consumed == input.count)
        try #require(outcome.events.count == 4, "\(outcome.events)")
        #expect(keys(outcome.events) == ["1760184207.1", nil, "1760184207.3", "1760184207.4"])
        let rejection = try #require(outcome.events[1].rejection)
        #expect(rejection.reason.contains("unbalanced quote"))
        #expect(rejection.reason.contains("never closed"))
        #expect(rejection.raw == Array(lines[1].dropLast()))
        #expect(
            outcome.events[1].position
                == RecordPosition(
                    offset: Int64(lines[0].count), endOffset: Int64(lines[0].count + lines[1].count), line: 2,
                    endLines: 2))
        #expect(outcome.events.map(\.position.line) == [1, 2, 3, 4])
    }

    @Test("Before the end of input, an open quote waits for more bytes")
    func unbalancedQuoteNotAtEnd() throws {
        var bad = row(2, quoted: false)
        bad.account = "\"acme"
        let input = row(1).bytes + bad.bytes + row(3, quoted: false).bytes
        let outcome = try parseAll(input, atEnd: false)
        #expect(keys(outcome.events) == ["1760184207.1"])
        #expect(outcome.consumed == row(1).bytes.count)
    }

    @Test("A quote closed on a later line refuses only its first line; the next records land")
    func unbalancedQuoteClosedLater() throws {
        var bad = row(2, quoted: false)
        bad.account = "\"acme"
        let lines = [row(1).bytes, bad.bytes, row(3).bytes, row(4).bytes]
        let outcome = try parseAll(lines.flatMap { $0 })
        try #require(outcome.events.count == 4, "\(outcome.events)")
        #expect(keys(outcome.events) == ["1760184207.1", nil, "1760184207.3", "1760184207.4"])
        let rejection = try #require(outcome.events[1].rejection)
        #expect(rejection.reason.contains("spans 2 lines"))
        #expect(rejection.reason.contains("only its first line is refused"))
        #expect(rejection.raw == Array(lines[1].dropLast()))
        #expect(outcome.events[1].position.endOffset == Int64(lines[0].count + lines[1].count))
        #expect(outcome.events[1].position.endLines == 2)
        #expect(outcome.events.map(\.position.line) == [1, 2, 3, 4])
    }

    @Test("A bad record spanning lines refuses its first line; the records after it still land")
    func badMultiLineRecord() throws {
        var bad = row(2)
        bad.callerID = "Alice\nSmith"
        bad.duration = "x"
        let lines = [row(1).bytes, bad.bytes, row(4).bytes]
        let outcome = try parseAll(lines.flatMap { $0 })
        let first = try #require(outcome.events.dropFirst().first?.rejection)
        #expect(first.reason.contains("duration 'x'"))
        #expect(first.reason.contains("spans 2 lines"))
        #expect(first.line == 2)
        #expect(outcome.events.first?.call?.recordKey == "1760184207.1")
        #expect(outcome.events.last?.call?.recordKey == "1760184207.4")
        #expect(outcome.events.last?.position.line == 4)
        #expect(outcome.events.filter { $0.call != nil }.count == 2)
    }

    /// A good 18-column line whose userfield makes it `size` bytes long.
    private func longLine(key: Int, size: Int) -> [UInt8] {
        var line = row(key)
        line.extra = ["1760184207.\(key)", ""]
        let base = line.bytes.count
        line.extra[1] = String(repeating: "x", count: size - base)
        let bytes = line.bytes
        precondition(bytes.count == size)
        return bytes
    }

    @Test("README: a record longer than 1 MiB is refused, also when it is complete in the buffer")
    func oversizedCompleteRecord() throws {
        let long = longLine(key: 2, size: (1 << 20) + 100_000)
        let input = row(1).bytes + long + row(3).bytes
        let outcome = try parseAll(input)
        #expect(outcome.consumed == input.count)
        try #require(outcome.events.count == 3)
        #expect(outcome.events[0].call?.recordKey == "1760184207.1")
        let rejection = try #require(outcome.events[1].rejection, "a \(long.count)-byte record was accepted")
        #expect(rejection.reason.contains("1 MiB"))
        #expect(rejection.line == 2)
        #expect(outcome.events[2].call?.recordKey == "1760184207.3")
        #expect(outcome.events[2].position.line == 3)
    }

    @Test("A line over 1 MiB that arrives in pieces: refused with its first 1 MiB once its end is read")
    func oversizedStreamingLine() throws {
        let long = longLine(key: 2, size: (1 << 20) + 100_000)
        let input = row(1).bytes + long + row(3).bytes
        let cut = row(1).bytes.count + (1 << 20) + 100
        var parser = try stockholmParser()
        let first = parseOnce(&parser, Array(input[..<cut]), atEnd: false)
        #expect(first.consumed == cut)
        try #require(first.events.count == 1)
        #expect(first.events[0].call?.recordKey == "1760184207.1")
        // Its bytes are consumed but its end is unknown: a reader must resume at its start, not after them.
        #expect(parser.unfinishedRecordOffset == Int64(row(1).bytes.count))
        let second = parseOnce(&parser, Array(input[cut...]), baseOffset: Int64(cut), atEnd: true)
        #expect(second.consumed == input.count - cut)
        #expect(parser.unfinishedRecordOffset == nil)
        try #require(second.events.count == 2)
        let rejection = try #require(second.events[0].rejection)
        #expect(rejection.reason.contains("longer than 1 MiB"))
        #expect(rejection.raw == Array(long[..<(1 << 20)]))
        #expect(rejection.offset == Int64(row(1).bytes.count))
        #expect(rejection.line == 2)
        #expect(
            second.events[0].position
                == RecordPosition(
                    offset: Int64(row(1).bytes.count), endOffset: Int64(row(1).bytes.count + long.count), line: 2,
                    endLines: 2))
        #expect(second.events[1].call?.recordKey == "1760184207.3")
        #expect(
            second.events[1].position
                == RecordPosition(
                    offset: Int64(row(1).bytes.count + long.count), endOffset: Int64(input.count), line: 3,
                    endLines: 3))
    }

    @Test("An open quote followed by more than 1 MiB refuses its line without waiting for the end")
    func unbalancedQuoteOverOneMiB() throws {
        var bad = row(2, quoted: false)
        bad.account = "\"acme"
        let filler = row(9, quoted: false).bytes
        let count = (1 << 20) / filler.count + 10
        let input = row(1).bytes + bad.bytes + Array([[UInt8]](repeating: filler, count: count).joined())
        let outcome = try parseAll(input, atEnd: false)
        #expect(outcome.consumed == input.count)
        try #require(outcome.events.count == 2 + count)
        let rejection = try #require(outcome.events[1].rejection)
        #expect(rejection.reason.contains("longer than 1 MiB"))
        #expect(rejection.raw == Array(bad.bytes.dropLast()))
        #expect(outcome.events.dropFirst(2).allSatisfy { $0.call?.recordKey == "1760184207.9" })
        #expect(outcome.events.last?.position.line == Int64(2 + count))
    }
}
