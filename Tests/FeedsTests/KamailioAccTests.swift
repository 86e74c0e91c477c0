import CDRModel
import Feeds
import Testing

@Suite struct KamailioAccTests {
    static let prefix = "Oct 11 12:03:27 sip /usr/sbin/kamailio[2926]: NOTICE: acc [acc.c:317]: acc_log_request(): "

    /// A transaction line as the acc module logs it with the usual `log_extra`.
    static func transaction(
        _ event: String = "transaction answered", time: Int64, method: String = "INVITE", callID: String = "c1",
        code: String = "200", reason: String = "OK"
    ) -> String {
        prefix + "ACC: \(event): timestamp=\(time);method=\(method);from_tag=f1;to_tag=t1;call_id=\(callID);"
            + "code=\(code);reason=\(reason);src_user=0701234567;src_domain=example.com;src_ip=192.0.2.7;"
            + "dst_user=0812345678;egressIP=gw1;to=<sip:0812345678@example.com>;tag=t1;from=sip:0701234567@example.com;"
            + "uri=sip:0812345678@example.com;rate=0.03"
    }

    static let t0: Int64 = 1_791_720_207  // 2026-10-11 12:03:27 UTC

    /// Parses `lines` with a decoder whose wall clock reads `now` at the end of the input.
    func parse(
        _ lines: [String], from offset: Int64 = 0, lines consumed: Int64 = 0, now: Int64 = .max, keys: String? = nil
    ) throws -> (ParseOutcome, LineFeedParser<KamailioAccDecoder>) {
        let decoder = KamailioAccDecoder(
            normaliser: NumberNormaliser(countryCode: "46"),
            keys: try keys.map { try KamailioAccKeys(parsing: $0) } ?? .defaults, endOfInputTime: now)
        var parser = LineFeedParser(decoder: decoder)
        parser.linesConsumed = consumed
        let outcome = parseOnce(&parser, Array(lines.map { $0 + "\n" }.joined().utf8), baseOffset: offset)
        return (outcome, parser)
    }

    func length(_ lines: [String]) -> Int64 { Int64(lines.map { $0.utf8.count + 1 }.reduce(0, +)) }

    @Test func pairsAnAnsweredInviteWithItsBye() throws {
        let invite = Self.transaction(time: Self.t0)
        let bye = Self.transaction(time: Self.t0 + 123, method: "BYE")
        let (outcome, parser) = try parse([invite, bye])
        #expect(
            outcome.events == [
                .record(
                    CallRecord(
                        startTime: microseconds(2026, 10, 11, 12, 3, 27),
                        answerTime: microseconds(2026, 10, 11, 12, 3, 27),
                        endTime: microseconds(2026, 10, 11, 12, 5, 30), durationSeconds: 123, billableSeconds: 123,
                        source: "+46701234567", destination: "+46812345678", sourceIP: IPAddress("192.0.2.7"),
                        callType: .voice, disposition: .answered, recordKey: "c1"),
                    raw: Array((invite + "\n" + bye).utf8),
                    position: RecordPosition(offset: 0, endOffset: length([invite, bye]), line: 1, endLines: 2))
            ])
        #expect(parser.unfinishedRecordOffset == nil)
        #expect(parser.linesConsumed == 2)
    }

    @Test(arguments: [
        ("transaction failed", "486", Disposition.busy), ("transaction failed", "600", .busy),
        ("transaction failed", "487", .cancelled), ("call missed", "408", .noAnswer), ("call missed", "480", .noAnswer),
        ("transaction failed", "503", .failed), ("call missed", "200", .noAnswer),
    ])
    func makesAnUnansweredCallOfAFailedInvite(event: String, code: String, disposition: Disposition) throws {
        let line = Self.transaction(event, time: Self.t0, code: code, reason: "x")
        let (outcome, _) = try parse([line])
        #expect(
            outcome.events.map(\.call) == [
                CallRecord(
                    startTime: microseconds(2026, 10, 11, 12, 3, 27), answerTime: nil,
                    endTime: microseconds(2026, 10, 11, 12, 3, 27), durationSeconds: 0, billableSeconds: 0,
                    source: "+46701234567", destination: "+46812345678", sourceIP: IPAddress("192.0.2.7"),
                    callType: .voice, disposition: disposition, recordKey: "c1")
            ])
    }

    @Test func splitsOnlyAtKeysAndKeepsURIParametersInTheirValue() throws {
        let line =
            Self.prefix
            + "ACC: call missed: timestamp=\(Self.t0);method=INVITE;from_tag=f;to_tag=;call_id=c9;code=480;reason=Temporarily Unavailable;calling=4670;called=you;egressIP=kamailio.org;src_ip=1.0.0.127;to=<sip:+46812345678@sip.call.org>;tag=j90;from=sip:9188@localhost;contact=;pai=;uri=sip:you@kamailio.org;onnet=0"
        let call = try #require(try parse([line]).0.events.first?.call)
        #expect(call.source == "4670")
        #expect(call.destination == "you")
        #expect(call.sourceIP == IPAddress("1.0.0.127"))
        let fromURI =
            Self.prefix
            + "ACC: call missed: timestamp=\(Self.t0);method=INVITE;call_id=c9;code=480;src_user=1;uri=sip:+46812345678@example.com;transport=udp"
        #expect(try parse([fromURI]).0.events.first?.call?.destination == "+46812345678")
    }

    @Test func skipsOtherMethodsAndOtherLogLines() throws {
        let options = Self.transaction("request accounted", time: Self.t0, method: "OPTIONS")
        let other = "Oct 11 12:03:27 sip /usr/sbin/kamailio[2926]: INFO: <script>: routing INVITE"
        let (outcome, parser) = try parse([options, other, ""])
        #expect(outcome.events.isEmpty)
        #expect(parser.linesConsumed == 3)
    }

    @Test func refusesAByeWithoutInviteAndBadLines() throws {
        let bye = Self.transaction(time: Self.t0, method: "BYE", callID: "lost")
        let noTime = Self.prefix + "ACC: transaction answered: method=INVITE;call_id=x"
        let badTime = Self.transaction(time: Self.t0).replacingOccurrences(
            of: "timestamp=\(Self.t0)", with: "timestamp=17x")
        let provisional = Self.transaction(time: Self.t0, code: "180")
        let noCaller =
            Self.prefix + "ACC: call missed: timestamp=\(Self.t0);method=INVITE;call_id=c;code=486;dst_user=2"
        let badIP = Self.transaction(time: Self.t0, code: "486").replacingOccurrences(of: "192.0.2.7", with: "192.0.2")
        let (outcome, _) = try parse([bye, noTime, badTime, provisional, noCaller, badIP])
        #expect(
            outcome.events.compactMap(\.rejection).map(\.reason) == [
                "an acc line without timestamp=", "timestamp '17x' is not seconds since the epoch",
                "code 180 is not a final response", "src_ip '192.0.2' is not an IPv4 or IPv6 address",
                "BYE for call_id lost with neither an answered INVITE nor a dialog CDR line within 10 s",
                "call_id c: no caller (transaction lines: src_user or calling; dialog CDR lines: caller; see --acc-keys)",
            ])
        #expect(outcome.events.compactMap(\.rejection).dropLast().last?.raw == Array(bye.utf8))
    }

    @Test func recordsWhileAnInviteWaitsResumeAtThatInvite() throws {
        let first = Self.transaction("call missed", time: Self.t0 - 5, callID: "m0", code: "486")
        let invite = Self.transaction(time: Self.t0, callID: "a")
        let missed = Self.transaction("call missed", time: Self.t0 + 1, callID: "m1", code: "408")
        let bye = Self.transaction(time: Self.t0 + 60, method: "BYE", callID: "a")
        let lines = [first, invite, missed, bye]
        let inviteOffset = length([first])
        let (whole, _) = try parse(lines)
        #expect(
            whole.events.map(\.position) == [
                RecordPosition(offset: 0, endOffset: inviteOffset, line: 1, endLines: 1),
                RecordPosition(offset: length([first, invite]), endOffset: inviteOffset, line: 3, endLines: 1),
                RecordPosition(offset: inviteOffset, endOffset: length(lines), line: 2, endLines: 4),
            ])
        #expect(whole.events.map { $0.call?.recordKey } == ["m0", "m1", "a"])

        // A run that stops before the BYE commits the INVITE's start; the next run reads from there.
        let (early, stopped) = try parse([first, invite, missed])
        #expect(early.events.count == 2)
        #expect(stopped.unfinishedRecordOffset == inviteOffset)
        #expect(stopped.linesConsumed == 1)
        let (resumed, _) = try parse([invite, missed, bye], from: inviteOffset, lines: 1)
        #expect(resumed.events == Array(whole.events.dropFirst()))
    }

    @Test func refusesAnInviteWithoutByeWithinSevenDays() throws {
        let invite = Self.transaction(time: Self.t0, callID: "a")
        let later = Self.transaction(time: Self.t0 + 3600, callID: "b")
        let weekOn = Self.transaction("call missed", time: Self.t0 + 7 * 86_400 + 1, callID: "m", code: "480")
        let (outcome, parser) = try parse([invite, later, weekOn])
        #expect(outcome.events.count == 2)
        #expect(
            outcome.events.first
                == .rejection(
                    Rejection(
                        offset: 0, line: 1, raw: Array(invite.utf8),
                        reason: "answered INVITE with call_id a has neither a BYE nor a dialog CDR line within 7 days"),
                    position: RecordPosition(offset: 0, endOffset: length([invite]), line: 1, endLines: 1)))
        #expect(outcome.events.last?.call?.recordKey == "m")
        #expect(outcome.events.last?.position.endOffset == length([invite]))
        #expect(parser.unfinishedRecordOffset == length([invite]))
        #expect(parser.linesConsumed == 1)
    }

    @Test func readsDialogCDRLinesByTheDialogsOwnParties() throws {
        let answered =
            "Oct 11 12:05:30 sip kamailio[2926]: NOTICE: acc [acc_cdr.c:199]: start_time=\(Self.t0).250000; end_time=\(Self.t0 + 123).750000; duration=123.500000; call_id=d1; src_user=0812345678; dst_user=0701234567; caller=0701234567; callee=0812345678; src_ip=192.0.2.7"
        let unanswered =
            "CDR: start_time=\(Self.t0);end_time=\(Self.t0);duration=0;call_id=d2;dst_user=;caller=1;callee=2"
        let (outcome, _) = try parse([answered, unanswered])
        #expect(
            outcome.events.map(\.call) == [
                CallRecord(
                    startTime: microseconds(2026, 10, 11, 12, 3, 27) + 250_000,
                    answerTime: microseconds(2026, 10, 11, 12, 3, 27) + 250_000,
                    endTime: microseconds(2026, 10, 11, 12, 5, 30) + 750_000, durationSeconds: 123,
                    billableSeconds: 123,
                    source: "+46701234567", destination: "+46812345678", sourceIP: IPAddress("192.0.2.7"),
                    callType: .voice, disposition: .answered, recordKey: "d1"),
                CallRecord(
                    startTime: microseconds(2026, 10, 11, 12, 3, 27), answerTime: nil,
                    endTime: microseconds(2026, 10, 11, 12, 3, 27), durationSeconds: 0, billableSeconds: 0,
                    source: "1", destination: "2", callType: .voice, disposition: .noAnswer, recordKey: "d2"),
            ])
    }

    /// The INVITE's line says only the second, and may be logged in the second after the dialog
    /// was confirmed: the merged call is answered at the CDR line's start, to the millisecond.
    @Test func aMergedCallIsAnsweredAtTheDialogsStart() throws {
        let invite = Self.transaction(time: Self.t0 + 1, callID: "m1")
        let cdr =
            "CDR: start_time=\(Self.t0).806; end_time=\(Self.t0 + 4).852; duration=4.046; call_id=m1; caller=1; callee=2"
        for lines in [[invite, cdr], [cdr, invite]] {
            let (outcome, _) = try parse(lines)
            let call = try #require(outcome.events.first?.call)
            #expect(outcome.events.count == 1)
            #expect(call.answerTime == call.startTime)
            #expect(call.startTime == microseconds(2026, 10, 11, 12, 3, 27) + 806_000)
            #expect([call.durationSeconds, call.billableSeconds] == [4, 4])
            #expect(call.source == "+46701234567")
        }
    }

    @Test func neverTakesACDRLinesRequestPartiesUnlessTold() throws {
        let line = "CDR: start_time=\(Self.t0);end_time=\(Self.t0 + 5);duration=5;call_id=d3;src_user=9;dst_user=8"
        let (refused, _) = try parse([line])
        #expect(
            refused.events.map { $0.rejection?.reason } == [
                "call_id d3: no caller (transaction lines: src_user or calling; dialog CDR lines: caller; see --acc-keys)"
            ])
        let (told, _) = try parse([line], keys: "cdr-caller=src_user, cdr-callee=c2|dst_user,cdr-call-id=call_id")
        #expect(told.events.map { $0.call.map { [$0.source, $0.destination] } } == [["9", "8"]])
    }

    @Test(arguments: [
        (
            "callee=dst user",
            "--acc-keys: 'dst user' for callee is not a list of acc attribute names (letters, digits, _ - .)"
        ),
        (
            "who=src_user",
            "--acc-keys: 'who=src_user' is not ROLE=KEY; the roles are: caller, callee, source-ip, account, cdr-caller, cdr-callee, cdr-source-ip, cdr-account, cdr-call-id"
        ),
        ("caller=a,caller=b", "--acc-keys names caller twice"),
        ("caller=$fU", "--acc-keys: '$fU' for caller is not a list of acc attribute names (letters, digits, _ - .)"),
    ])
    func refusesAKeysSettingItCannotUse(setting: String, message: String) {
        #expect(throws: FeedSettingsError.self) { try KamailioAccKeys(parsing: setting) }
        do {
            _ = try KamailioAccKeys(parsing: setting)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func keysAreOnlyForKamailio() throws {
        #expect(throws: FeedSettingsError.self) {
            try FeedSettings(format: "asterisk-csv", timeZone: "UTC", countryCode: nil, accKeys: "caller=x")
        }
        let settings = try FeedSettings(format: "kamailio-acc", timeZone: "UTC", countryCode: nil, accKeys: "account=")
        #expect(settings.accKeys[.account] == [])
        #expect(settings.accKeys[.caller] == ["src_user", "calling"])
    }

    @Test func anAccountKeyGivesTheCallItsAccount() throws {
        let line = Self.transaction("call missed", time: Self.t0, code: "486") + ";acct=acme"
        let (outcome, _) = try parse([line], keys: "account=acct")
        #expect(outcome.events.first?.call?.account == "acme")
    }

    @Test func aCallWaitsTenSecondsOfLogTimeOrOfWallClockAtTheEnd() throws {
        let missed = Self.transaction("call missed", time: Self.t0, callID: "m", code: "486")
        let nine = Self.transaction("call missed", time: Self.t0 + 9, callID: "n", code: "486")
        let eleven = Self.transaction("call missed", time: Self.t0 + 11, callID: "o", code: "486")
        let (stillWaiting, waitingParser) = try parse([missed, nine], now: (Self.t0 + 9) * 1_000_000)
        #expect(stillWaiting.events.isEmpty)
        #expect(waitingParser.unfinishedRecordOffset == 0)
        let (logTime, _) = try parse([missed, nine, eleven], now: (Self.t0 + 11) * 1_000_000)
        #expect(logTime.events.map { $0.call?.recordKey } == ["m"])
        let (wallClock, _) = try parse([missed, nine, eleven], now: (Self.t0 + 21) * 1_000_000)
        #expect(wallClock.events.map { $0.call?.recordKey } == ["m", "n", "o"])
    }
}
