import CDRModel
import Feeds
import Testing

/// Builds FreeSWITCH `mod_cdr_csv` lines of the `example` template as FreeSWITCH writes them:
/// every field in quotes, nothing escaped.
struct FreeSWITCHRow: Sendable {
    var callerName = "Alice"
    var callerNumber = "0701234567"
    var destination = "0046812345678"
    var context = "default"
    var start = "2026-10-11 14:03:27"
    var answer = "2026-10-11 14:03:30"
    var end = "2026-10-11 14:05:30"
    var duration = "123"
    var billsec = "120"
    var hangupCause = "NORMAL_CLEARING"
    var uuid = "5b7a1c2e-2f1d-4c8e-9a61-0d3f7b2c9e10"
    var blegUUID = ""
    var accountCode = "acme"
    var codecs = ["PCMA", "PCMA"]

    /// The whole line, line end included.
    var text: String {
        let fields =
            [
                callerName, callerNumber, destination, context, start, answer, end, duration, billsec, hangupCause,
                uuid, blegUUID, accountCode,
            ] + codecs
        return "\"" + fields.joined(separator: "\",\"") + "\"\n"
    }

    /// The line's bytes.
    var bytes: [UInt8] { Array(text.utf8) }

    /// A row changed by `change`.
    static func with(_ change: (inout FreeSWITCHRow) -> Void) -> FreeSWITCHRow {
        var row = FreeSWITCHRow()
        change(&row)
        return row
    }
}

/// How FreeSWITCH `example`-template lines become call records, including lines whose caller name
/// holds an unescaped quote or comma.
struct FreeSWITCHCSVDecoderTests {
    private func parse(_ bytes: [UInt8], zone: String = "Europe/Stockholm") throws -> [ParsedEvent] {
        var parser = try FeedSettings(format: "freeswitch-csv", timeZone: zone, countryCode: "46").makeParser()
        let outcome = parseOnce(&parser, bytes)
        #expect(outcome.consumed == bytes.count)
        return outcome.events
    }

    /// The record the default `FreeSWITCHRow` stands for (14:03:27 CEST is 12:03:27 UTC).
    private let defaultRecord = CallRecord(
        startTime: microseconds(2026, 10, 11, 12, 3, 27), answerTime: microseconds(2026, 10, 11, 12, 3, 30),
        endTime: microseconds(2026, 10, 11, 12, 5, 30), durationSeconds: 123, billableSeconds: 120,
        source: "+46701234567", destination: "+46812345678", callType: .voice, disposition: .answered,
        account: "acme", recordKey: "5b7a1c2e-2f1d-4c8e-9a61-0d3f7b2c9e10")

    @Test("An answered a-leg: times in the feed zone, parties in E.164, uuid as record key")
    func answeredLeg() throws {
        let events = try parse(FreeSWITCHRow().bytes)
        #expect(events.map(\.call) == [defaultRecord])
        #expect(events.first?.position == RecordPosition(offset: 0, endOffset: 206, line: 1, endLines: 1))
    }

    @Test("legs=ab: the b-leg names its a-leg in bleg_uuid; each leg is its own record")
    func bLegLinksToItsALeg() throws {
        let aLeg = FreeSWITCHRow()
        let bLeg = FreeSWITCHRow.with {
            $0.uuid = "c0ffee00-1111-4222-8333-444455556666"
            $0.blegUUID = aLeg.uuid
            $0.accountCode = ""
            $0.destination = "1003"
        }
        let calls = try parse(aLeg.bytes + bLeg.bytes).map(\.call)
        var expectedBLeg = defaultRecord
        expectedBLeg.recordKey = "c0ffee00-1111-4222-8333-444455556666"
        expectedBLeg.linkedKey = "5b7a1c2e-2f1d-4c8e-9a61-0d3f7b2c9e10"
        expectedBLeg.account = nil
        expectedBLeg.destination = "1003"
        #expect(calls == [defaultRecord, expectedBLeg])
    }

    @Test(
        "Hangup causes: NORMAL_CLEARING with billsec > 0 answered, USER_BUSY busy, NO_ANSWER and ORIGINATOR_CANCEL no answer, else failed",
        arguments: [
            ("NORMAL_CLEARING", "2026-10-11 14:03:30", "120", Disposition.answered),
            ("NORMAL_CLEARING", "", "0", .failed),
            ("USER_BUSY", "", "0", .busy),
            ("NO_ANSWER", "", "0", .noAnswer),
            ("ORIGINATOR_CANCEL", "", "0", .noAnswer),
            ("CALL_REJECTED", "", "0", .failed),
            ("NORMAL_TEMPORARY_FAILURE", "", "0", .failed),
            ("MEDIA_TIMEOUT", "2026-10-11 14:03:30", "120", .failed),
        ])
    func hangupCauses(cause: String, answer: String, billsec: String, disposition: Disposition) throws {
        let row = FreeSWITCHRow.with {
            $0.hangupCause = cause
            $0.answer = answer
            $0.billsec = billsec
        }
        let call = try #require(try parse(row.bytes).first?.call)
        #expect(call.disposition == disposition)
        #expect(call.answerTime == (answer.isEmpty ? nil : microseconds(2026, 10, 11, 12, 3, 30)))
        #expect(call.billableSeconds == Int32(billsec))
    }

    @Test(
        "A caller name with an unescaped quote or comma is read by the column count; the line after it too",
        arguments: [
            "Bob \"The Builder\" Smith", "Smith, Bob", "Bob \"Smith, Jr\"", "\"Bob\"", "O'Neil \"", "\",Bob",
        ])
    func unescapedCallerName(name: String) throws {
        let odd = FreeSWITCHRow.with {
            $0.callerName = name
            $0.uuid = "11111111-2222-4333-8444-555555555555"
        }
        let events = try parse(odd.bytes + FreeSWITCHRow().bytes)
        var expectedOdd = defaultRecord
        expectedOdd.recordKey = "11111111-2222-4333-8444-555555555555"
        #expect(events.map(\.call) == [expectedOdd, defaultRecord])
        let oddEnd = Int64(odd.bytes.count)
        #expect(
            events.map(\.position) == [
                RecordPosition(offset: 0, endOffset: oddEnd, line: 1, endLines: 1),
                RecordPosition(offset: oddEnd, endOffset: oddEnd + 206, line: 2, endLines: 2),
            ])
        #expect(events.first?.raw == Array(odd.bytes.dropLast()))
    }

    @Test("A quote at the end of the last field (strict CSV reads on into the next line) costs nothing")
    func quoteEndingTheLastField() throws {
        let odd = FreeSWITCHRow.with { $0.codecs = ["PCMA", "PCMA\""] }
        let events = try parse(odd.bytes + FreeSWITCHRow().bytes)
        #expect(events.map(\.call) == [defaultRecord, defaultRecord])
        #expect(events.map(\.position.line) == [1, 2])
    }

    @Test(
        "A field holding \",\" cannot be told apart from a separator: refused, the neighbours read",
        arguments: ["Bob\",\"Smith", "Bob \"x\",\"y\" Smith", "Bob\",\""])
    func ambiguousCallerName(name: String) throws {
        let odd = FreeSWITCHRow.with { $0.callerName = name }
        let events = try parse(FreeSWITCHRow().bytes + odd.bytes + FreeSWITCHRow().bytes)
        #expect(events.count == 3)
        #expect(events[0].call == defaultRecord && events[2].call == defaultRecord)
        let rejection = try #require(events[1].rejection)
        #expect(rejection.reason.contains("cannot be told apart"), "\(rejection.reason)")
        #expect(rejection.line == 2 && rejection.raw == Array(odd.bytes.dropLast()))
    }

    @Test(
        "Refusals name the field and the value",
        arguments: [
            (
                FreeSWITCHRow.with { $0.codecs = ["PCMA"] },
                "expected 15 columns (FreeSWITCH mod_cdr_csv example template), found 14"
            ),
            (
                FreeSWITCHRow.with {
                    $0.callerName = "Bob \"B\""
                    $0.codecs = ["PCMA"]
                },
                "expected 15 columns (FreeSWITCH mod_cdr_csv example template), found 14 between the \",\" separators"
            ),
            (
                FreeSWITCHRow.with { $0.start = "2026-10-11T14:03" },
                "start_stamp time '2026-10-11T14:03' is not in the form"
            ),
            (FreeSWITCHRow.with { $0.end = "" }, "end_stamp time is empty"),
            (FreeSWITCHRow.with { $0.billsec = "-1" }, "billsec '-1' is negative"),
            (FreeSWITCHRow.with { $0.billsec = "124" }, "billable seconds (124) are more than the duration (123)"),
            (FreeSWITCHRow.with { $0.answer = "2026-10-11 14:03:00" }, "answer time is outside the call"),
        ])
    func refusals(row: FreeSWITCHRow, reason: String) throws {
        let events = try parse(row.bytes + FreeSWITCHRow().bytes)
        let rejection = try #require(events.first?.rejection)
        #expect(rejection.reason.hasPrefix(reason) || rejection.reason.contains(reason), "\(rejection.reason)")
        #expect(events.last?.call == defaultRecord)
    }

    @Test("A caller number that is not a number stays as written; an empty accountcode is no account")
    func partiesAndAccount() throws {
        let row = FreeSWITCHRow.with {
            $0.callerNumber = "anonymous"
            $0.destination = "*1003"
            $0.accountCode = ""
        }
        let call = try #require(try parse(row.bytes).first?.call)
        #expect(call.source == "anonymous" && call.destination == "*1003" && call.account == nil)
    }

    @Test("A blank line is skipped")
    func blankLine() throws {
        let events = try parse(Array("\n".utf8) + FreeSWITCHRow().bytes)
        #expect(events.map(\.call) == [defaultRecord])
        #expect(events.first?.position.line == 2)
    }
}
