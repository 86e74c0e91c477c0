import CDRModel
import Feeds
import Testing

/// Bad Asterisk records: each refused with a reason that names the problem and its raw bytes kept,
/// while the good records around it are still read.
struct AsteriskRejectionTests {
    /// A bad line between two good ones.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var line: [UInt8]
        var reason: [String]
        var testDescription: String { name }

        init(_ name: String, _ row: AsteriskRow, _ reason: String...) {
            self.init(name, row.bytes, reason)
        }

        init(_ name: String, _ line: [UInt8], _ reason: [String]) {
            self.name = name
            self.line = line
            self.reason = reason
        }
    }

    private static func row(_ change: (inout AsteriskRow) -> Void) -> AsteriskRow {
        var row = AsteriskRow()
        change(&row)
        return row
    }

    static let cases: [Case] = [
        Case(
            "15 columns", Array((AsteriskRow().encodedFields.prefix(15).joined(separator: ",") + "\n").utf8),
            ["16 to 21 columns", "found 15"]),
        Case("22 columns", row { $0.extra = ["1760184207.42", "", "peer", "1760184207.40", "7", "x"] }, "found 22"),
        Case("a single field", Array("garbage\n".utf8), ["found 1"]),
        Case("non-numeric duration", row { $0.duration = "12a" }, "duration '12a'", "whole number of seconds"),
        Case("empty duration", row { $0.duration = "" }, "duration ''", "whole number of seconds"),
        Case("fractional billsec", row { $0.billsec = "1.5" }, "billsec '1.5'", "whole number of seconds"),
        Case("negative duration", row { $0.duration = "-5" }, "duration '-5' is negative"),
        Case("negative billsec", row { $0.billsec = "-1" }, "billsec '-1' is negative"),
        Case(
            "billsec over duration", row { $0.billsec = "130" },
            "billable seconds (130) are more than the duration (123)"),
        Case(
            "duration over 7 days",
            row {
                $0.end = "2026-10-18 14:03:28"
                $0.duration = "604801"
            }, "duration of 604801 s is longer than 7 days"),
        Case(
            "huge duration",
            row { $0.duration = "99999999999" }, "duration of 99999999999 s is longer than 7 days"),
        Case("end before start", row { $0.end = "2026-10-11 14:03:00" }, "end time is before start time"),
        Case(
            "answer after end", row { $0.answer = "2026-10-11 14:06:00" },
            "answer time is outside the call"),
        Case(
            "answer before start", row { $0.answer = "2026-10-11 14:03:00" },
            "answer time is outside the call"),
        Case(
            "start in the spring gap",
            row {
                $0.start = "2026-03-29 02:30:00"
                $0.answer = nil
                $0.end = "2026-03-29 03:05:00"
                $0.billsec = "0"
            }, "start time '2026-03-29 02:30:00' does not exist in Europe/Stockholm"),
        Case(
            "end in the spring gap",
            row {
                $0.start = "2026-03-29 01:59:00"
                $0.answer = nil
                $0.end = "2026-03-29 02:01:00"
                $0.billsec = "0"
            }, "end time '2026-03-29 02:01:00' does not exist in Europe/Stockholm"),
        Case(
            "impossible date", row { $0.start = "2026-02-30 10:00:00" },
            "start time '2026-02-30 10:00:00' is not a real date and time"),
        Case(
            "impossible answer time", row { $0.answer = "2026-10-11 24:00:00" },
            "answer time '2026-10-11 24:00:00' is not a real date and time"),
        Case(
            "unparsable time", row { $0.end = "11/10/2026 14:05" },
            "end time '11/10/2026 14:05' is not in the form YYYY-MM-DD HH:MM:SS"),
        Case("empty start", row { $0.start = "" }, "start time is empty"),
        Case("empty end", row { $0.end = "" }, "end time is empty"),
        Case("unknown disposition", row { $0.disposition = "ANSWER" }, "unknown disposition 'ANSWER'"),
        Case("lower-case disposition", row { $0.disposition = "answered" }, "unknown disposition 'answered'"),
        Case(
            "text after a closing quote",
            AsteriskRow().bytes.replacingFirst(Array("\"acme\",".utf8), with: Array("\"acme\"x,".utf8)),
            ["unexpected text after the closing quote of field 1"]),
        Case(
            "invalid UTF-8 in src", AsteriskRow().bytes(replacing: "0701234567", with: [0x30, 0x37, 0xFF]),
            ["field 2 (src) is not valid UTF-8"]),
        Case(
            "invalid UTF-8 in dst",
            AsteriskRow().bytes(replacing: "\"0046812345678\"", with: [0x22, 0xC3, 0x28, 0x22]),
            ["field 3 (dst) is not valid UTF-8"]),
        Case(
            "invalid UTF-8 in accountcode", AsteriskRow().bytes(replacing: "acme", with: [0x61, 0xED, 0xA0, 0x80]),
            ["field 1 (accountcode) is not valid UTF-8"]),
        Case(
            "invalid UTF-8 in a field with doubled quotes",
            row { $0.account = "a\"@@\"" }.bytes(replacing: "@@", with: [0xFE]),
            ["field 1 (accountcode) is not valid UTF-8"]),
        Case(
            "invalid UTF-8 in channel", AsteriskRow().bytes(replacing: "alice-", with: [0xC0, 0x80, 0x2D]),
            ["field 6 (channel) is not valid UTF-8"]),
        Case(
            "invalid UTF-8 in uniqueid", AsteriskRow().bytes(replacing: ".42", with: [0x2E, 0x34, 0xFF]),
            ["field 17 (uniqueid) is not valid UTF-8"]),
    ]

    @Test("A bad record is refused with a reason and its raw bytes; its neighbours are read", arguments: cases)
    func refused(testCase: Case) throws {
        var first = AsteriskRow()
        first.extra = ["1760184207.41", ""]
        var last = AsteriskRow()
        last.extra = ["1760184207.43", ""]
        let input = first.bytes + testCase.line + last.bytes
        let outcome = try parseAll(input)
        #expect(outcome.consumed == input.count)
        try #require(outcome.events.count == 3, "\(outcome.events)")
        #expect(outcome.events[0].call == defaultRecord(recordKey: "1760184207.41"))
        #expect(outcome.events[2].call == defaultRecord(recordKey: "1760184207.43"))
        let rejection = try #require(outcome.events[1].rejection, "\(outcome.events[1])")
        for part in testCase.reason {
            #expect(rejection.reason.contains(part), "reason: \(rejection.reason)")
        }
        #expect(rejection.raw == Array(testCase.line.dropLast()))
        #expect(rejection.offset == Int64(first.bytes.count))
        #expect(rejection.line == 2)
        #expect(
            outcome.events[1].position
                == RecordPosition(
                    offset: Int64(first.bytes.count), endOffset: Int64(first.bytes.count + testCase.line.count),
                    line: 2,
                    endLines: 2))
        #expect(outcome.events[2].position.line == 3)
    }

    @Test("Invalid UTF-8 in the caller name costs nothing")
    func invalidUTF8InCallerName() throws {
        let line = AsteriskRow().bytes(replacing: "Alice", with: [0x41, 0xFF, 0xFE, 0x65])
        let outcome = try parseAll(line)
        try #require(outcome.events.count == 1)
        #expect(outcome.events[0].call == defaultRecord())
        #expect(outcome.events[0].raw == Array(line.dropLast()))
    }

    @Test("Invalid UTF-8 in a column that is not kept (lastdata, userfield) costs nothing")
    func invalidUTF8InIgnoredColumns() throws {
        var row = AsteriskRow()
        row.extra = ["1760184207.42", "@@"]
        let line = row.bytes(replacing: "@@", with: [0xFF]).replacingFirst(
            Array("/trunk/".utf8), with: [0x2F, 0xFE, 0x2F])
        let outcome = try parseAll(line)
        try #require(outcome.events.count == 1)
        #expect(outcome.events[0].call == defaultRecord())
    }

    @Test("A record with several problems is refused once")
    func severalProblems() throws {
        var row = AsteriskRow()
        row.duration = "x"
        row.billsec = "-1"
        row.disposition = "?"
        let outcome = try parseAll(row.bytes)
        #expect(outcome.events.count == 1)
        #expect(outcome.events.first?.rejection != nil)
    }
}

extension Array where Element == UInt8 {
    /// The array with the first occurrence of `target` replaced.
    func replacingFirst(_ target: [UInt8], with replacement: [UInt8]) -> [UInt8] {
        for index in 0...(count - target.count) where Array(self[index..<(index + target.count)]) == target {
            return Array(self[..<index]) + replacement + Array(self[(index + target.count)...])
        }
        preconditionFailure("target not found")
    }
}
