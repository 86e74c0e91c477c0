import Foundation
import TestSupport
import Testing

/// `cdrstore parse` over the JSON and log feed formats: the exact canonical record of a fixture.
@Suite struct JSONFeedCLITests {
    let folder: TemporaryFolder
    init() throws { folder = try TemporaryFolder() }

    @Test func parsesCDRJSONLines() throws {
        let file = try folder.write(
            "calls.jsonl",
            #"{"start_time":"2026-10-11T14:03:27+02:00","answer_time":"2026-10-11T12:03:30.5Z","end_time":"2026-10-11T12:05:30Z","source":"0701234567","destination":"+46812345678","source_ip":"192.0.2.7","record_key":"k1"}"#
                + "\n" + #"{"start_time":"2026-10-11T12:03:27Z"}"# + "\n")
        let result = try CLIRunner.run(["parse", "--format", "cdr-jsonl", "--country-code", "46", file])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines == [
                #"{"start_time":"2026-10-11T12:03:27Z","answer_time":"2026-10-11T12:03:30.500000Z","end_time":"2026-10-11T12:05:30Z","duration_s":123,"billable_s":119,"source":"+46701234567","destination":"+46812345678","source_ip":"192.0.2.7","call_type":"voice","disposition":"answered","equipment":null,"account":null,"record_key":"k1","linked_key":null}"#,
                #"{"reject":"end_time is missing","position":{"offset":209,"line":2},"raw":"{\"start_time\":\"2026-10-11T12:03:27Z\"}"}"#,
            ])
    }

    @Test func parsesFreeSWITCHJSONDocuments() throws {
        let document =
            #"{"variables":{"uuid":"b-uuid","originator":"a-uuid","sip_from_user":"0701234567","sip_to_user":"200","sip_received_ip":"192.0.2.7","sip_user_agent":"Z%203.15","hangup_cause":"NORMAL_CLEARING","start_uepoch":"1791720207250000","answer_uepoch":"1791720210500000","end_uepoch":"1791720330750000","duration":"123","billsec":"120"},"callflow":[{"profile_index":"1","caller_profile":{"caller_id_number":"0701234567","destination_number":"200"}}]}"#
        let file = try folder.write("b-uuid.cdr.json", document + "\n")
        let result = try CLIRunner.run(["parse", "--format", "freeswitch-json", "--country-code", "46", file])
        #expect(result.status == 0)
        #expect(
            result.stdout
                == #"{"start_time":"2026-10-11T12:03:27.250000Z","answer_time":"2026-10-11T12:03:30.500000Z","end_time":"2026-10-11T12:05:30.750000Z","duration_s":123,"billable_s":120,"source":"+46701234567","destination":"200","source_ip":"192.0.2.7","call_type":"voice","disposition":"answered","equipment":"Z 3.15","account":null,"record_key":"b-uuid","linked_key":"a-uuid"}"#
                + "\n")
    }

    @Test func parsesKamailioAccLinesPairingInviteAndBye() throws {
        let prefix = "Oct 11 12:03:27 sip /usr/sbin/kamailio[2926]: NOTICE: acc [acc.c:317]: acc_log_request(): ACC: "
        let file = try folder.write(
            "acc.log",
            prefix
                + "transaction answered: timestamp=1791720207;method=INVITE;from_tag=f;to_tag=t;call_id=c1;code=200;reason=OK;src_user=0701234567;src_ip=192.0.2.7;dst_user=0812345678;to=<sip:0812345678@example.com>;tag=t\n"
                + prefix
                + "request accounted: timestamp=1791720208;method=OPTIONS;from_tag=f;to_tag=;call_id=o1;code=200;reason=OK\n"
                + prefix
                + "transaction answered: timestamp=1791720330;method=BYE;from_tag=f;to_tag=t;call_id=c1;code=200;reason=OK;src_user=0701234567;src_ip=192.0.2.7;dst_user=0812345678\n"
        )
        let result = try CLIRunner.run(["parse", "--format", "kamailio-acc", "--country-code", "46", file])
        #expect(result.status == 0)
        #expect(
            result.stdout
                == #"{"start_time":"2026-10-11T12:03:27Z","answer_time":"2026-10-11T12:03:27Z","end_time":"2026-10-11T12:05:30Z","duration_s":123,"billable_s":123,"source":"+46701234567","destination":"+46812345678","source_ip":"192.0.2.7","call_type":"voice","disposition":"answered","equipment":null,"account":null,"record_key":"c1","linked_key":null}"#
                + "\n")
    }
}
