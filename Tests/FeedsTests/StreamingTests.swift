import CDRModel
import Feeds
import Testing

/// Parsing in pieces, as FeedFileReader does, gives exactly the events of parsing in one go.
struct StreamingTests {
    /// A mixed input: good lines of several shapes, blank lines, CRLF, quotes spanning lines, bad lines,
    /// an unbalanced quote at the end and an unterminated last line.
    static let input: [UInt8] = {
        func row(_ key: Int, _ change: (inout AsteriskRow) -> Void = { _ in }) -> AsteriskRow {
            var row = AsteriskRow()
            row.extra = ["1760184207.\(key)", ""]
            change(&row)
            return row
        }
        func bare(_ key: Int) -> AsteriskRow {
            row(key) {
                $0.quoted = false
                $0.callerID = "Bob <1001>"
                $0.lastData = "SIP/trunk"
            }
        }
        var lines: [[UInt8]] = [
            row(1).bytes,
            Array("\n".utf8),
            row(2) {
                $0.extra = ["1760184207.2", "vip", "peer", "1760184207.1", "3"]
                $0.lineEnd = "\r\n"
            }.bytes,
            row(3) { $0.callerID = "Alice\nSmith\r\n(office)" }.bytes,
            Array("\"too\",\"few\",\"columns\"\n".utf8),
            row(4) { $0.account = "ac\"me" }.bytes,
            row(5).bytes.replacingFirst(Array("\"acme\",".utf8), with: Array("\"acme\"x,".utf8)),
            row(6) {
                $0.quoted = false
                $0.account = "\"acme"
                $0.callerID = "Carol"
                $0.lastData = "x"
            }.bytes,
            row(7) {
                $0.extra = []
                $0.answer = nil
                $0.disposition = "NO ANSWER"
                $0.billsec = "0"
            }.bytes,
            row(8) { $0.duration = "12a" }.bytes,
            row(9).bytes(replacing: "Alice", with: [0xFF, 0xFE]),
            row(10).bytes(replacing: "0701234567", with: [0xFF]),
            Array("\r\n".utf8),
        ]
        var tail = bare(12)
        tail.account = "\"acme"
        lines += [tail.bytes, bare(13).bytes, bare(14).bytes]
        var fragment = bare(15)
        fragment.lineEnd = ""
        lines.append(fragment.bytes)
        return Array(lines.joined())
    }()

    /// Parses `input` in one buffer.
    private func reference() throws -> (ParseOutcome, Int64) {
        var parser = try stockholmParser()
        let outcome = parseOnce(&parser, Self.input, atEnd: true)
        return (outcome, parser.linesConsumed)
    }

    /// Feeds `input` in pieces ending at `cuts`, each call getting the unconsumed remainder plus the
    /// next piece, then a last call with `atEnd` (as FeedFileReader does when a read returns nothing).
    private func pieces(_ cuts: [Int]) throws -> (ParseOutcome, Int64) {
        var parser = try stockholmParser()
        var events: [ParsedEvent] = []
        var consumedOffset = 0
        for cut in cuts + [Self.input.count] {
            let outcome = parseOnce(
                &parser, Array(Self.input[consumedOffset..<cut]), baseOffset: Int64(consumedOffset), atEnd: false)
            events += outcome.events
            consumedOffset += outcome.consumed
        }
        let last = parseOnce(
            &parser, Array(Self.input[consumedOffset...]), baseOffset: Int64(consumedOffset), atEnd: true)
        events += last.events
        consumedOffset += last.consumed
        return (ParseOutcome(events: events, consumed: consumedOffset), parser.linesConsumed)
    }

    @Test("The reference parse has the expected shape")
    func referenceShape() throws {
        let (outcome, lines) = try reference()
        #expect(
            outcome.events.map { event in event.call.map { "record \($0.recordKey ?? "-")" } ?? "rejected" } == [
                "record 1760184207.1", "record 1760184207.2#3", "record 1760184207.3", "rejected",
                "record 1760184207.4", "rejected", "rejected", "record -", "rejected", "record 1760184207.9",
                "rejected",
                "rejected", "record 1760184207.13", "record 1760184207.14",
            ])
        #expect(outcome.events.map(\.position.line) == [1, 3, 4, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 18])
        #expect(outcome.consumed < Self.input.count)
        #expect(lines == 18)
    }

    @Test("Two buffers split at every point give the same events as one")
    func everySplitPoint() throws {
        let (expected, expectedLines) = try reference()
        for cut in 0...Self.input.count {
            let (outcome, lines) = try pieces([cut])
            guard outcome.events == expected.events, outcome.consumed == expected.consumed, lines == expectedLines
            else {
                Issue.record(
                    "split at \(cut): \(outcome.events.count) events, consumed \(outcome.consumed), lines \(lines)")
                return
            }
        }
    }

    @Test("One byte at a time gives the same events as one buffer")
    func byteByByte() throws {
        let (expected, expectedLines) = try reference()
        let (outcome, lines) = try pieces(Array(1..<Self.input.count))
        #expect(outcome.events == expected.events)
        #expect(outcome.consumed == expected.consumed)
        #expect(lines == expectedLines)
    }
}
