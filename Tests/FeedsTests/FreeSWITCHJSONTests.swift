import CDRModel
import Foundation
import Testing

@testable import Feeds

/// A mod_json_cdr document like FreeSWITCH writes one (trimmed), for an a-leg call of 2026-10-11.
func freeSWITCHDocument(
    variables extra: String = "", hangupCause: String = "NORMAL_CLEARING", answerEpoch: String = "1791720210500000",
    billsec: String = "120", callflow: String? = nil
) -> String {
    let flow =
        callflow
            ?? #"""
            "callflow":[{"dialplan":"XML","profile_index":"2","caller_profile":{"caller_id_number":"0701234567","network_addr":"192.0.2.9","destination_number":"200","uuid":"a-uuid"},"times":{"created_time":"1791720207250000","answered_time":"1791720210500000","hangup_time":"1791720330750000"}},{"dialplan":"XML","profile_index":"1","caller_profile":{"caller_id_number":"0701234567","network_addr":"192.0.2.9","destination_number":"0812345678","uuid":"a-uuid"},"times":{"created_time":"1791720207250000","answered_time":"0","hangup_time":"0"}}]
            """#
    return #"""
        {"core-uuid":"c0re","switchname":"fs1","channel_data":{"state":"CS_REPORTING","direction":"inbound"},"callStats":{"audio":{"inbound":{"mos":4.5}}},"variables":{"uuid":"a-uuid","sip_from_user":"0701234567","sip_to_user":"0812345678","sip_received_ip":"192.0.2.7","sip_user_agent":"Z%203.15.40006%20rv2.8.20","accountcode":"acme%2Bco","video_possible":"true","video_media_flow":"sendonly","hangup_cause":"\#(hangupCause)","start_uepoch":"1791720207250000","answer_uepoch":"\#(answerEpoch)","end_uepoch":"1791720330750000","duration":"123","billsec":"\#(billsec)"\#(extra)},"app_log":{"applications":[{"app_name":"bridge","app_data":"user/200"}]},\#(flow)}
        """#
}

/// The call `freeSWITCHDocument()` stands for.
func freeSWITCHRecord() -> CallRecord {
    CallRecord(
        startTime: microseconds(2026, 10, 11, 12, 3, 27) + 250_000,
        answerTime: microseconds(2026, 10, 11, 12, 3, 30) + 500_000,
        endTime: microseconds(2026, 10, 11, 12, 5, 30) + 750_000, durationSeconds: 123, billableSeconds: 120,
        source: "+46701234567", destination: "+46812345678", sourceIP: IPAddress("192.0.2.7"), callType: .voice,
        disposition: .answered, equipment: "Z 3.15.40006 rv2.8.20", account: "acme+co", recordKey: "a-uuid")
}

@Suite struct FreeSWITCHJSONDecoderTests {
    let decoder = FreeSWITCHJSONDecoder(
        normaliser: NumberNormaliser(countryCode: "46"), clock: ZoneClock(identifier: "Europe/Stockholm")!)

    func decode(_ text: String) -> DecodedRecord {
        Array(text.utf8).withUnsafeBytes { decoder.decode(document: $0) }
    }

    func call(_ text: String) throws -> CallRecord {
        guard case .record(let call) = decode(text) else { throw FieldRefusal("not a record: \(decode(text))") }
        return call
    }

    func reason(_ text: String) -> String? {
        if case .rejected(let reason) = decode(text) { return reason }
        return nil
    }

    @Test func mapsEveryFieldOfAnALeg() throws {
        #expect(try call(freeSWITCHDocument()) == freeSWITCHRecord())
    }

    @Test func namesTheALegOfABLegAndTakesTheFirstProfileWithoutIndexOne() throws {
        let flow =
            #""callflow":[{"caller_profile":{"caller_id_number":"0701234567","network_addr":"192.0.2.1","destination_number":"300","uuid":"b-uuid"}}]"#
        var expected = freeSWITCHRecord()
        expected.destination = "300"
        expected.linkedKey = "a-uuid"
        #expect(try call(freeSWITCHDocument(variables: #","originator":"a-uuid""#, callflow: flow)) == expected)
    }

    @Test func readsTheOldFormWithRepeatedCallflowKeys() throws {
        let flow =
            #""callflow":{"profile_index":"2","caller_profile":{"caller_id_number":"1","destination_number":"2"}},"callflow":{"profile_index":"1","caller_profile":{"caller_id_number":"0701234567","destination_number":"0812345678"}}"#
        #expect(try call(freeSWITCHDocument(callflow: flow)) == freeSWITCHRecord())
    }

    @Test func fallsBackToCallflowTimesThenToVariables() throws {
        let withoutEpochs = freeSWITCHDocument()
            .replacingOccurrences(of: #""start_uepoch":"1791720207250000","#, with: "")
            .replacingOccurrences(of: #""answer_uepoch":"1791720210500000","#, with: "")
            .replacingOccurrences(of: #""end_uepoch":"1791720330750000","#, with: "")
            .replacingOccurrences(of: #","duration":"123","billsec":"120""#, with: "")
        var expected = freeSWITCHRecord()
        expected.durationSeconds = 123
        expected.billableSeconds = 120
        #expect(try call(withoutEpochs) == expected)
        let stampsOnly =
            #"{"variables":{"sip_from_user":"100","sip_to_user":"200","hangup_cause":"NO_ANSWER","start_stamp":"2026-10-11 14:03:27","end_stamp":"2026-10-11 14:03:47"}}"#
        #expect(
            try call(stampsOnly)
                == CallRecord(
                    startTime: microseconds(2026, 10, 11, 12, 3, 27), answerTime: nil,
                    endTime: microseconds(2026, 10, 11, 12, 3, 47), durationSeconds: 20, billableSeconds: 0,
                    source: "100", destination: "200", callType: .voice, disposition: .noAnswer))
    }

    @Test(arguments: [
        ("NORMAL_CLEARING", "120", Disposition.answered), ("NORMAL_CLEARING", "0", .failed), ("USER_BUSY", "0", .busy),
        ("NO_ANSWER", "0", .noAnswer), ("ORIGINATOR_CANCEL", "0", .noAnswer), ("NO_USER_RESPONSE", "0", .noAnswer),
        ("CALL_REJECTED", "0", .failed),
    ])
    func mapsHangupCauses(cause: String, billsec: String, disposition: Disposition) throws {
        let answered = billsec != "0"
        let record = try call(
            freeSWITCHDocument(hangupCause: cause, answerEpoch: answered ? "1791720210500000" : "0", billsec: billsec))
        #expect(record.disposition == disposition)
        #expect(record.answerTime == (answered ? microseconds(2026, 10, 11, 12, 3, 30) + 500_000 : nil))
    }

    @Test(arguments: [
        (#","fax_success":"1""#, CallType.fax), (#","has_t38":"true""#, .fax),
        (#","video_read_codec":"VP8""#, .video), (#","rtp_use_video_codec_name":"H264""#, .video), ("", .voice),
    ])
    func findsFaxAndVideo(variables: String, type: CallType) throws {
        #expect(try call(freeSWITCHDocument(variables: variables)).callType == type)
    }

    @Test func videoStatisticsMakeAVideoCall() throws {
        let text = freeSWITCHDocument().replacingOccurrences(
            of: #""callStats":{"audio":{"inbound":{"mos":4.5}}}"#,
            with: #""callStats":{"audio":{},"video":{"inbound":{}}}"#)
        #expect(try call(text).callType == .video)
    }

    @Test(arguments: [
        ("{", "not a JSON document: the JSON ends inside an object at byte 1"),
        (#"{"variable":{}}"#, "no \"variables\" object: not a FreeSWITCH mod_json_cdr document"),
        (
            #"{"variables":{"sip_from_user":"1","sip_to_user":"2","start_uepoch":"17601842x","end_uepoch":"1791720330750000"}}"#,
            "variables.start_uepoch '17601842x' is not µs since the epoch"
        ),
        (
            #"{"variables":{"sip_from_user":"1","sip_to_user":"2","end_uepoch":"1791720330750000"}}"#,
            "no start time (variables.start_uepoch, callflow times.created_time or start_stamp)"
        ),
        (
            #"{"variables":{"sip_to_user":"2","start_uepoch":"1791720207250000","end_uepoch":"1791720330750000"}}"#,
            "no caller (callflow caller_profile.caller_id_number, variables.caller_id_number or sip_from_user)"
        ),
        (
            #"{"variables":{"sip_from_user":"1","sip_to_user":"2","start_uepoch":"1791720207250000","end_uepoch":"1791720330750000","duration":"12a"}}"#,
            "variables.duration '12a' is not a whole number of seconds"
        ),
        (
            #"{"variables":{"sip_from_user":"1","sip_to_user":"2","start_uepoch":"1791720330750000","end_uepoch":"1791720207250000"}}"#,
            "end time is before start time"
        ),
        (
            #"{"variables":{"sip_from_user":"1","sip_to_user":"2","start_uepoch":"1791720207250000","end_uepoch":"1791720330750000","sip_received_ip":"10.0.0"}}"#,
            "variables.sip_received_ip '10.0.0' is not an IPv4 or IPv6 address"
        ),
        (
            #"{"variables":{"sip_from_user":"%FF","sip_to_user":"2","start_uepoch":"1791720207250000","end_uepoch":"1791720330750000"}}"#,
            "variables.sip_from_user is not valid UTF-8 once percent-decoded"
        ),
        (
            #"{"variables":{"sip_from_user":["1"],"sip_to_user":"2","start_uepoch":"1791720207250000","end_uepoch":"1791720330750000"}}"#,
            "variables.sip_from_user must be a string, found an array"
        ),
    ])
    func refusesWithAReason(text: String, reason: String) {
        #expect(self.reason(text) == reason)
    }

    @Test func unwrapsTheThreePushEncodingsToTheSameRecord() throws {
        let json = Array(freeSWITCHDocument().utf8)
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let urlEncoded = String(decoding: json, as: UTF8.self).addingPercentEncoding(withAllowedCharacters: allowed)!
        let base64 = Data(json).base64EncodedString()
        let bodies: [(String, String?)] = [
            (String(decoding: json, as: UTF8.self), "application/json"),
            (String(decoding: json, as: UTF8.self), nil),
            ("uuid=a-uuid&cdr=" + urlEncoded, "application/x-www-form-urlencoded"),
            ("cdr=" + urlEncoded + "&uuid=a-uuid", nil),
            ("cdr=" + base64, "application/x-www-form-base64-encoded"),
            (
                "cdr=" + base64.addingPercentEncoding(withAllowedCharacters: allowed)!,
                "application/x-www-form-urlencoded"
            ),
            (base64, nil),
            (urlEncoded, nil),
        ]
        for (body, contentType) in bodies {
            let document = try FreeSWITCHPushBody.document(from: Array(body.utf8), contentType: contentType)
            #expect(try call(String(decoding: document, as: UTF8.self)) == freeSWITCHRecord())
        }
    }

    @Test func refusesABodyThatHoldsNoDocument() {
        #expect(throws: FieldRefusal.self) {
            try FreeSWITCHPushBody.document(from: Array("hello=world".utf8), contentType: nil)
        }
    }
}

@Suite struct FreeSWITCHJSONFileParserTests {
    func parser() throws -> AnyFeedParser {
        try FeedSettings(format: "freeswitch-json", timeZone: "Europe/Stockholm", countryCode: "46").makeParser()
    }

    @Test func readsConcatenatedAndPrettyDocumentsAroundABadOne() throws {
        let pretty = freeSWITCHDocument().replacingOccurrences(of: #","variables""#, with: ",\n\t\"variables\"")
        let bad = #"{"variables":{"a":"}{"}, oops}"#
        let text = pretty + "\n" + bad + freeSWITCHDocument() + "\n" + #"{"variables":{"#
        var parser = try parser()
        let bytes = Array(text.utf8)
        let outcome = parseOnce(&parser, bytes)
        #expect(outcome.events.count == 3)
        #expect(outcome.events[0].call == freeSWITCHRecord())
        #expect(outcome.events[0].raw == Array(pretty.utf8))
        #expect(
            outcome.events[0].position
                == RecordPosition(offset: 0, endOffset: Int64(pretty.utf8.count), line: 1, endLines: 1))
        let badStart = Int64(pretty.utf8.count + 1)
        #expect(
            outcome.events[1].rejection
                == Rejection(
                    offset: badStart, line: 3, raw: Array(bad.utf8),
                    reason: "not a JSON document: an object key must be a string at byte 25"))
        #expect(outcome.events[2].call == freeSWITCHRecord())
        #expect(outcome.events[2].position.line == 3)
        #expect(outcome.consumed == bytes.count - #"{"variables":{"#.utf8.count)
        #expect(parser.linesConsumed == 3)
    }

    @Test func readsAnEncodedBackupLine() throws {
        let base64 = Data(freeSWITCHDocument().utf8).base64EncodedString()
        var parser = try parser()
        let outcome = parseOnce(&parser, Array(("not a document\n" + base64 + "\n").utf8))
        #expect(outcome.events.count == 2)
        #expect(outcome.events[0].rejection?.reason.hasPrefix("not a JSON document: the body is neither JSON") == true)
        #expect(outcome.events[1].call == freeSWITCHRecord())
        #expect(outcome.events[1].position.line == 2)
    }

    @Test func refusesADocumentOverOneMebibyteAndReadsTheNext() throws {
        let huge = #"{"variables":{"x":""# + String(repeating: "}", count: FeedLimits.maxRecordBytes) + "\"}}"
        var parser = try parser()
        let first = parseOnce(&parser, Array(huge.utf8.prefix(FeedLimits.maxRecordBytes + 100)), atEnd: false)
        #expect(first.events.isEmpty)
        #expect(first.consumed == FeedLimits.maxRecordBytes)
        #expect(parser.unfinishedRecordOffset == 0)
        let rest = Array(huge.utf8.dropFirst(FeedLimits.maxRecordBytes)) + Array(("\n" + freeSWITCHDocument()).utf8)
        let second = parseOnce(&parser, rest, baseOffset: Int64(FeedLimits.maxRecordBytes))
        #expect(second.events.count == 2)
        #expect(
            second.events[0].rejection?.reason == "JSON document longer than 1 MiB; only its first 1 MiB is kept here")
        #expect(second.events[0].rejection?.raw.count == FeedLimits.maxRecordBytes)
        #expect(second.events[0].position.endOffset == Int64(huge.utf8.count))
        #expect(second.events[1].call == freeSWITCHRecord())
        #expect(second.events[1].position.line == 2)
    }
}
