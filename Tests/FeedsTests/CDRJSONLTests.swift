import CDRModel
import Feeds
import Testing

@Suite struct CDRJSONLTests {
    func parse(_ text: String, atEnd: Bool = true) throws -> ParseOutcome {
        var parser = try FeedSettings(format: "cdr-jsonl", timeZone: "UTC", countryCode: "46").makeParser()
        return parseOnce(&parser, Array(text.utf8), atEnd: atEnd)
    }

    let full =
        #"{"start_time":"2026-10-11T12:03:27Z","answer_time":"2026-10-11T12:03:30Z","end_time":"2026-10-11T12:05:30Z","duration_s":123,"billable_s":120,"source":"+46701234567","destination":"+46812345678","source_ip":"192.0.2.7","call_type":"video","disposition":"answered","equipment":"SIP/alice","account":"acme","record_key":"k1","linked_key":"k0"}"#

    @Test func readsEveryKey() throws {
        let outcome = try parse(full + "\n")
        #expect(
            outcome.events == [
                .record(
                    CallRecord(
                        startTime: microseconds(2026, 10, 11, 12, 3, 27),
                        answerTime: microseconds(2026, 10, 11, 12, 3, 30),
                        endTime: microseconds(2026, 10, 11, 12, 5, 30), durationSeconds: 123, billableSeconds: 120,
                        source: "+46701234567", destination: "+46812345678", sourceIP: IPAddress("192.0.2.7"),
                        callType: .video, disposition: .answered, equipment: "SIP/alice", account: "acme",
                        recordKey: "k1", linkedKey: "k0"),
                    raw: Array(full.utf8),
                    position: RecordPosition(offset: 0, endOffset: Int64(full.utf8.count + 1), line: 1, endLines: 1))
            ])
    }

    @Test func fillsDefaultsAndNormalisesParties() throws {
        let answered =
            #"{"start_time":"2026-10-11T14:03:27.25+02:00","answer_time":"2026-10-11T12:03:30Z","end_time":"2026-10-11T12:05:30.5Z","source":"0701234567","destination":"100"}"#
        let unanswered =
            #"{"start_time":"2026-10-11T12:03:27Z","answer_time":null,"end_time":"2026-10-11T12:03:47Z","source":"0701234567","destination":"00468123456","equipment":null}"#
        let calls = try parse(answered + "\r\n\n  \n" + unanswered + "\n").events.compactMap(\.call)
        #expect(
            calls == [
                CallRecord(
                    startTime: microseconds(2026, 10, 11, 12, 3, 27) + 250_000,
                    answerTime: microseconds(2026, 10, 11, 12, 3, 30),
                    endTime: microseconds(2026, 10, 11, 12, 5, 30) + 500_000, durationSeconds: 123,
                    billableSeconds: 120, source: "+46701234567", destination: "100", callType: .voice,
                    disposition: .answered),
                CallRecord(
                    startTime: microseconds(2026, 10, 11, 12, 3, 27), answerTime: nil,
                    endTime: microseconds(2026, 10, 11, 12, 3, 47), durationSeconds: 20, billableSeconds: 0,
                    source: "+46701234567", destination: "+468123456", callType: .voice, disposition: .noAnswer),
            ])
    }

    @Test(arguments: [
        ("not json", "not a JSON object: unexpected character 'n' where a value should start at byte 0"),
        ("[1]", "expected a JSON object, found an array"),
        (
            #"{"start_time":"2026-10-11T12:03:27Z","end_time":"2026-10-11T12:05:30Z","source":"1","destinaton":"2"}"#,
            "unknown key \"destinaton\" (the keys are start_time, answer_time, end_time, duration_s, billable_s, source, destination, source_ip, call_type, disposition, equipment, account, record_key, linked_key)"
        ),
        (#"{"source":"1","source":"2"}"#, "key \"source\" appears more than once"),
        (#"{"end_time":"2026-10-11T12:05:30Z","source":"1","destination":"2"}"#, "start_time is missing"),
        (
            #"{"start_time":"2026-10-11T12:05:30Z","end_time":"2026-10-11T12:05:30Z","destination":"2"}"#,
            "source is missing"
        ),
        (
            #"{"start_time":"2026-10-11 12:03:27","end_time":"2026-10-11T12:05:30Z","source":"1","destination":"2"}"#,
            "start_time '2026-10-11 12:03:27' is not an ISO 8601 time such as 2026-10-11T12:03:27Z"
        ),
        (
            #"{"start_time":"2026-02-30T12:03:27Z","end_time":"2026-10-11T12:05:30Z","source":"1","destination":"2"}"#,
            "start_time '2026-02-30T12:03:27Z' is not a real date and time"
        ),
        (
            #"{"start_time":"2026-10-11T12:03:27.1234567Z","end_time":"2026-10-11T12:05:30Z","source":"1","destination":"2"}"#,
            "start_time '2026-10-11T12:03:27.1234567Z' has a fraction of more than 6 digits or none"
        ),
        (
            #"{"start_time":"2026-10-11T12:03:27+2:00","end_time":"2026-10-11T12:05:30Z","source":"1","destination":"2"}"#,
            "start_time '2026-10-11T12:03:27+2:00' is not an ISO 8601 time such as 2026-10-11T12:03:27Z"
        ),
        (
            #"{"start_time":1760184207,"end_time":"2026-10-11T12:05:30Z","source":"1","destination":"2"}"#,
            "start_time must be a string, found a number"
        ),
        (
            #"{"start_time":"2026-10-11T12:03:27Z","end_time":"2026-10-11T12:05:30Z","duration_s":"123","source":"1","destination":"2"}"#,
            "duration_s must be a number of seconds, found a string"
        ),
        (
            #"{"start_time":"2026-10-11T12:03:27Z","end_time":"2026-10-11T12:05:30Z","duration_s":1.5,"source":"1","destination":"2"}"#,
            "duration_s '1.5' is not a whole number of seconds"
        ),
        (
            #"{"start_time":"2026-10-11T12:03:27Z","end_time":"2026-10-11T12:05:30Z","billable_s":-1,"source":"1","destination":"2"}"#,
            "billable_s '-1' is negative"
        ),
        (
            #"{"start_time":"2026-10-11T12:03:27Z","end_time":"2026-10-11T12:05:30Z","disposition":"ANSWERED","source":"1","destination":"2"}"#,
            "unknown disposition 'ANSWERED' (expected one of answered, no_answer, busy, failed, congestion, cancelled)"
        ),
        (
            #"{"start_time":"2026-10-11T12:03:27Z","end_time":"2026-10-11T12:05:30Z","call_type":"sms","source":"1","destination":"2"}"#,
            "unknown call_type 'sms' (expected one of voice, video, fax)"
        ),
        (
            #"{"start_time":"2026-10-11T12:03:27Z","end_time":"2026-10-11T12:05:30Z","source_ip":"300.1.1.1","source":"1","destination":"2"}"#,
            "source_ip '300.1.1.1' is not an IPv4 or IPv6 address"
        ),
        (
            #"{"start_time":"2026-10-11T12:05:30Z","end_time":"2026-10-11T12:03:27Z","source":"1","destination":"2"}"#,
            "end time is before start time"
        ),
        (
            #"{"start_time":"2026-10-11T12:03:27Z","end_time":"2026-10-11T12:05:30Z","source":1,"destination":"2"}"#,
            "source must be a string, found a number"
        ),
    ])
    func refusesWithTheKeyNamed(line: String, reason: String) throws {
        let outcome = try parse(line + "\n" + full + "\n")
        #expect(outcome.events.count == 2)
        #expect(outcome.events.first?.rejection?.reason == reason)
        #expect(outcome.events.first?.rejection?.raw == Array(line.utf8))
        #expect(outcome.events.last?.call?.recordKey == "k1")
    }

    @Test func refusesInvalidUTF8() throws {
        var parser = try FeedSettings(format: "cdr-jsonl", timeZone: "UTC", countryCode: nil).makeParser()
        let outcome = parseOnce(&parser, Array(#"{"source":""#.utf8) + [0xFF] + Array("\"}\n".utf8))
        #expect(outcome.events.first?.rejection?.reason == "not a JSON object: a string is not valid UTF-8 at byte 11")
    }

    @Test func everyPrintedRecordReadsBackTheSame() throws {
        var seed: UInt64 = 0x5EED
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        let parties = ["+46701234567", "100", "anonymous", "sip:alice@example.com", "", "+4412 \"quoted\"", "s"]
        let texts: [String?] = [nil, "SIP/alice", "Zoiper 5.6 \\ \"q\"", "tab\there\nnewline", "é€😀", "\u{1}"]
        let addresses = [nil, IPAddress("192.0.2.7"), IPAddress("2001:db8::1"), IPAddress("::ffff:192.0.2.1")]
        var records: [CallRecord] = []
        for _ in 0..<300 {
            let start = microseconds(2026, 10, 11, 0, 0, 0) + Int64(next(86_400_000)) * 1000 + Int64(next(2)) * 7
            let answered = next(3) > 0
            let answer = answered ? start + Int64(next(30_000_000)) : nil
            let end = (answer ?? start) + Int64(next(3_600_000_000))
            records.append(
                CallRecord(
                    startTime: start, answerTime: answer, endTime: end,
                    durationSeconds: FieldValue.secondsBetween(start, end),
                    billableSeconds: answer.map { FieldValue.secondsBetween($0, end) } ?? 0,
                    source: parties[next(parties.count)], destination: parties[next(parties.count)],
                    sourceIP: addresses[next(addresses.count)], callType: CallType.allCases[next(3)],
                    disposition: Disposition.allCases[next(6)], equipment: texts[next(texts.count)],
                    account: texts[next(texts.count)], recordKey: texts[next(texts.count)],
                    linkedKey: texts[next(texts.count)]))
        }
        let text = records.map { CanonicalJSON.line(for: $0) + "\n" }.joined()
        let outcome = try parse(text)
        #expect(outcome.events.compactMap(\.rejection) == [])
        #expect(outcome.events.compactMap(\.call) == records)
    }
}

@Suite struct LineFeedParserTests {
    let line =
        #"{"start_time":"2026-10-11T12:03:27Z","end_time":"2026-10-11T12:05:30Z","source":"1","destination":"2"}"#

    func parser() throws -> AnyFeedParser {
        try FeedSettings(format: "cdr-jsonl", timeZone: "UTC", countryCode: nil).makeParser()
    }

    @Test func leavesAnUnterminatedLastLineUnconsumed() throws {
        var parser = try parser()
        let bytes = Array((line + "\n" + line).utf8)
        let outcome = parseOnce(&parser, bytes, atEnd: true)
        #expect(outcome.events.count == 1)
        #expect(outcome.consumed == line.utf8.count + 1)
        #expect(parser.linesConsumed == 1)
        #expect(parser.unfinishedRecordOffset == nil)
    }

    @Test func numbersLinesAcrossBlankLinesAndBuffers() throws {
        var parser = try parser()
        let first = parseOnce(&parser, Array(("\n" + line + "\n\r\n").utf8), atEnd: false)
        #expect(
            first.events.map(\.position) == [
                RecordPosition(offset: 1, endOffset: Int64(line.utf8.count + 2), line: 2, endLines: 2)
            ])
        #expect(parser.linesConsumed == 3)
        let second = parseOnce(&parser, Array((line + "\n").utf8), baseOffset: 100, atEnd: true)
        #expect(
            second.events.map(\.position) == [
                RecordPosition(offset: 100, endOffset: Int64(101 + line.utf8.count), line: 4, endLines: 4)
            ])
    }

    @Test func refusesALineOverOneMebibyteKeepingItsFirstMebibyte() throws {
        var parser = try parser()
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: FeedLimits.maxRecordBytes + 10)
        let bytes = long + [UInt8(ascii: "\n")] + Array((line + "\n").utf8)
        let outcome = parseOnce(&parser, bytes)
        #expect(outcome.events.count == 2)
        let rejection = try #require(outcome.events.first?.rejection)
        #expect(rejection.reason == "line longer than 1 MiB; only its first 1 MiB is kept here")
        #expect(rejection.raw.count == FeedLimits.maxRecordBytes)
        #expect(outcome.events.first?.position.endOffset == Int64(long.count + 1))
        #expect(outcome.events.last?.call?.destination == "2")
    }

    @Test func refusesAnUnterminatedLineOverOneMebibyteOnceItsEndArrives() throws {
        var parser = try parser()
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: FeedLimits.maxRecordBytes + 10)
        let first = parseOnce(&parser, long, atEnd: false)
        #expect(first.events.isEmpty)
        #expect(first.consumed == long.count)
        #expect(parser.unfinishedRecordOffset == 0)
        let second = parseOnce(&parser, Array("yy\n".utf8), baseOffset: Int64(long.count), atEnd: true)
        #expect(
            second.events.map(\.position) == [
                RecordPosition(offset: 0, endOffset: Int64(long.count + 3), line: 1, endLines: 1)
            ])
        #expect(second.events.first?.rejection?.raw.count == FeedLimits.maxRecordBytes)
        #expect(parser.unfinishedRecordOffset == nil)
    }
}
