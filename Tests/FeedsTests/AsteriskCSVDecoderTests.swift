import CDRModel
import Feeds
import Testing

/// How Asterisk `cdr_csv` lines become call records: column variants, mapping, numbers and times.
struct AsteriskCSVDecoderTests {
    /// Parses one line and returns its record, recording an issue when there is none.
    private func record(_ row: AsteriskRow) throws -> CallRecord {
        let outcome = try parseAll(row.bytes)
        try #require(outcome.events.count == 1, "\(outcome.events)")
        return try #require(outcome.events[0].call, "\(outcome.events[0])")
    }

    @Test("The README example: an 18-column line in Stockholm summer time")
    func readmeExample() throws {
        #expect(try record(AsteriskRow()) == defaultRecord())
    }

    @Test(
        "16 to 21 columns; record_key is the uniqueid, with #sequence when the newcdrcolumns are present",
        arguments: [
            ([], nil),  // 16: no uniqueid
            (["1760184207.42"], "1760184207.42"),  // 17: uniqueid
            (["pbx1-1760184207.42"], "pbx1-1760184207.42"),  // 17: uniqueid with a system name
            (["vip-customer"], nil),  // 17: userfield
            (["12345678.9"], nil),  // 17: too few epoch digits for a uniqueid
            (["1760184207."], nil),  // 17: no counter
            (["x1760184207.42"], nil),  // 17: text glued to the epoch
            ([""], nil),  // 17: empty
            (["1760184207.42", "vip"], "1760184207.42"),  // 18: uniqueid, userfield
            (["", "vip"], nil),  // 18: empty uniqueid
            (["peer", "1760184207.40", "7"], nil),  // 19: newcdrcolumns only
            (["1760184207.42", "peer", "1760184207.40", "7"], "1760184207.42#7"),  // 20: uniqueid + new
            (["vip", "peer", "1760184207.40", "7"], nil),  // 20: userfield + new
            (["1760184207.42", "vip", "peer", "1760184207.40", "7"], "1760184207.42#7"),  // 21
            (["1760184207.42", "vip", "peer", "1760184207.40", ""], "1760184207.42"),  // 21, no sequence
        ] as [([String], String?)])
    func columnVariants(extra: [String], recordKey: String?) throws {
        var row = AsteriskRow()
        row.extra = extra
        #expect(try record(row) == defaultRecord(recordKey: recordKey))
    }

    @Test(
        "Dispositions map to cdr.call's values",
        arguments: [
            ("ANSWERED", Disposition.answered), ("NO ANSWER", .noAnswer), ("BUSY", .busy), ("FAILED", .failed),
            ("CONGESTION", .congestion), ("CANCEL", .cancelled),
        ])
    func dispositions(text: String, disposition: Disposition) throws {
        var row = AsteriskRow()
        row.disposition = text
        if disposition != .answered {
            row.answer = nil
            row.billsec = "0"
        }
        let call = try record(row)
        #expect(call.disposition == disposition)
        #expect(call.answerTime == (disposition == .answered ? microseconds(2026, 10, 11, 12, 3, 30) : nil))
        #expect(call.billableSeconds == (disposition == .answered ? 120 : 0))
    }

    @Test(
        "A fax application makes the call a fax; anything else is voice",
        arguments: [
            ("ReceiveFAX", CallType.fax), ("SendFAX", .fax), ("RxFAX", .fax), ("TxFAX", .fax), ("receivefax", .fax),
            ("Dial", .voice), ("Playback", .voice), ("", .voice), ("FAX", .voice),
        ])
    func callType(lastApp: String, callType: CallType) throws {
        var row = AsteriskRow()
        row.lastApp = lastApp
        #expect(try record(row).callType == callType)
    }

    @Test(
        "The equipment is the channel's peer",
        arguments: [
            ("SIP/alice-0000002a", "SIP/alice"), ("PJSIP/bob-00000001", "PJSIP/bob"),
            ("SIP/my-phone-0000002a", "SIP/my-phone"),
            ("Local/100@from-internal-0000001f;1", "Local/100@from-internal"),
            ("DAHDI/1-1", "DAHDI/1"), ("SIP/alice", "SIP/alice"), ("IAX2/provider", "IAX2/provider"),
            ("SIP/trunk-provider", "SIP/trunk-provider"),
        ])
    func equipment(channel: String, peer: String) throws {
        var row = AsteriskRow()
        row.channel = channel
        #expect(try record(row).equipment == peer)
    }

    @Test("An empty channel or accountcode is absent, not empty")
    func emptyOptionalFields() throws {
        var row = AsteriskRow()
        row.channel = ""
        row.account = ""
        let call = try record(row)
        #expect(call.equipment == nil)
        #expect(call.account == nil)
    }

    @Test("Doubled quotes inside a kept field are undone")
    func escapedQuotesInAccount() throws {
        var row = AsteriskRow()
        row.account = "ac\"me\" ltd"
        #expect(try record(row).account == "ac\"me\" ltd")
    }

    @Test(
        "Parties become E.164 when certain, else stay as written",
        arguments: [
            ("0701234567", "+46701234567"), ("0046812345678", "+46812345678"), ("+46 8 123 456 78", "+46812345678"),
            ("1001", "1001"), ("s", "s"), ("anonymous", "anonymous"),
            ("sip:alice@example.com", "sip:alice@example.com"),
            ("", ""),
        ])
    func numbers(written: String, stored: String) throws {
        var row = AsteriskRow()
        row.source = written
        row.destination = written
        let call = try record(row)
        #expect(call.source == stored)
        #expect(call.destination == stored)
    }

    @Test("Without a country code, national numbers stay as written")
    func noCountryCode() throws {
        let outcome = try parseAll(AsteriskRow().bytes, countryCode: nil)
        let call = try #require(outcome.events.first?.call)
        #expect(call.source == "0701234567")
        #expect(call.destination == "+46812345678")
    }

    @Test("Winter times are UTC+1")
    func winterTime() throws {
        var row = AsteriskRow()
        row.start = "2026-01-15 10:00:00"
        row.answer = "2026-01-15 10:00:05"
        row.end = "2026-01-15 10:01:05"
        row.duration = "65"
        row.billsec = "60"
        let call = try record(row)
        #expect(call.startTime == microseconds(2026, 1, 15, 9, 0, 0))
        #expect(call.answerTime == microseconds(2026, 1, 15, 9, 0, 5))
        #expect(call.endTime == microseconds(2026, 1, 15, 9, 1, 5))
    }

    @Test("A time with a T between date and time is accepted")
    func isoSeparator() throws {
        var row = AsteriskRow()
        row.start = "2026-10-11T14:03:27"
        #expect(try record(row).startTime == microseconds(2026, 10, 11, 12, 3, 27))
    }

    @Test("In the repeated autumn hour a time takes its first occurrence")
    func autumnRepeatedHour() throws {
        var row = AsteriskRow()
        row.start = "2026-10-25 02:30:00"
        row.answer = "2026-10-25 02:30:10"
        row.end = "2026-10-25 02:31:10"
        row.duration = "70"
        row.billsec = "60"
        let call = try record(row)
        #expect(call.startTime == microseconds(2026, 10, 25, 0, 30, 0))
        #expect(call.endTime == microseconds(2026, 10, 25, 0, 31, 10))
    }

    @Test("The longest call accepted is 7 days; billsec may equal duration; zero is a duration")
    func boundaries() throws {
        var long = AsteriskRow()
        long.answer = nil
        long.end = "2026-10-18 14:03:27"
        long.duration = "604800"
        long.billsec = "604800"
        #expect(try record(long).durationSeconds == 604_800)

        var zero = AsteriskRow()
        zero.answer = "2026-10-11 14:03:27"
        zero.end = "2026-10-11 14:03:27"
        zero.duration = "0"
        zero.billsec = "0"
        let call = try record(zero)
        #expect(call.durationSeconds == 0 && call.startTime == call.endTime && call.answerTime == call.startTime)
    }

    @Test("The raw bytes of a record are the line without its line end")
    func rawBytes() throws {
        var row = AsteriskRow()
        row.lineEnd = "\r\n"
        let outcome = try parseAll(row.bytes)
        let event = try #require(outcome.events.first)
        #expect(event.raw == Array(row.bytes.dropLast(2)))
        #expect(event.call == defaultRecord())
    }

    @Test("Bare (unquoted) fields parse like quoted ones")
    func bareFields() throws {
        var row = AsteriskRow()
        row.quoted = false
        row.callerID = "Alice <0701234567>"
        row.lastData = "SIP/trunk/0046812345678"
        #expect(try record(row) == defaultRecord())
    }
}
