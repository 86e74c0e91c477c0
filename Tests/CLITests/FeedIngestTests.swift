import Foundation
import Postgres
import TestSupport
import Testing

/// Each feed format through `cdrstore ingest` into the store, with recent fixtures: what lands in
/// `cdr.call`, and that ingesting the file again adds nothing.
@Suite struct FeedIngestTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let format: String
        let options: [String]
        let content: String
        /// record_key, linked_key, source, destination, disposition of each stored call, by record_key.
        let expected: [[String?]]
        var testDescription: String { format }
    }

    static let day = ServeFixtures.yesterday
    static let noon = ServeFixtures.yesterdayNoonEpoch
    static let kamailio =
        "\(day) sip kamailio[2926]: NOTICE: acc [acc.c:317]: acc_log_request(): ACC: transaction answered: "

    static let cases = [
        Case(
            format: "freeswitch-csv", options: ["--country-code", "46"],
            content: """
                "Alice","0701234567","0812345678","default","\(day) 12:00:00","\(day) 12:00:05","\(day) 12:01:05","65","60","NORMAL_CLEARING","a-leg-1","","acme","PCMA","PCMA"
                "Alice","0701234567","0812345678","default","\(day) 12:00:00","\(day) 12:00:05","\(day) 12:01:05","65","60","NORMAL_CLEARING","b-leg-1","a-leg-1","","PCMA","PCMA"

                """,
            expected: [
                ["a-leg-1", nil, "+46701234567", "+46812345678", "answered"],
                ["b-leg-1", "a-leg-1", "+46701234567", "+46812345678", "answered"],
            ]),
        Case(
            format: "kamailio-acc", options: ["--country-code", "46"],
            content: kamailio
                + "timestamp=\(noon);method=INVITE;from_tag=f;to_tag=t;call_id=k1;code=200;reason=OK;src_user=0701234567;src_ip=192.0.2.7;dst_user=0812345678\n"
                + kamailio
                + "timestamp=\(noon + 90);method=BYE;from_tag=f;to_tag=t;call_id=k1;code=200;reason=OK;src_user=0701234567;dst_user=0812345678\n",
            expected: [["k1", nil, "+46701234567", "+46812345678", "answered"]]),
        Case(
            format: "cdr-jsonl", options: [],
            content:
                #"{"start_time":"\#(day)T12:00:00Z","end_time":"\#(day)T12:00:30Z","source":"+46701234567","destination":"+46812345678","disposition":"busy","record_key":"j1"}"#
                + "\n",
            expected: [["j1", nil, "+46701234567", "+46812345678", "busy"]]),
        Case(
            format: "freeswitch-json", options: ["--country-code", "46"],
            content:
                #"{"variables":{"uuid":"fs-1","originator":"fs-0","sip_from_user":"0701234567","sip_to_user":"0812345678","hangup_cause":"USER_BUSY","start_uepoch":"\#(noon * 1_000_000)","answer_uepoch":"0","end_uepoch":"\#((noon + 5) * 1_000_000)"}}"#
                + "\n",
            expected: [["fs-1", "fs-0", "+46701234567", "+46812345678", "busy"]]),
        Case(
            format: "csv", options: ["--country-code", "46"],
            content: "uniqueid,src,dst,start,answer,end,disposition\n"
                + "c1,0701234567,0812345678,\(day) 12:00:00,\(day) 12:00:04,\(day) 12:02:04,ANSWERED\n",
            expected: [["c1", nil, "+46701234567", "+46812345678", "answered"]]),
    ]

    @Test(arguments: cases)
    func aFormatIngestsIntoTheStoreOnce(_ testCase: Case) throws {
        let conninfo = try TestDatabase.createMigrated(prefix: "feeding")
        let folder = try TemporaryFolder()
        let file = try folder.write("feed.\(testCase.format)", testCase.content)
        let arguments = ["ingest", "--db", conninfo, "--feed", "f", "--format", testCase.format] + testCase.options
        let first = try CLIRunner.run(arguments + [file])
        #expect(first.status == 0, "\(first.stderr)")
        let again = try CLIRunner.run(arguments + [file])
        #expect(again.status == 0, "\(again.stderr)")
        let stored = try Connection(conninfo).execute(
            "SELECT record_key, linked_key, source, destination, disposition FROM cdr.call ORDER BY record_key")
        #expect(stored.rows == testCase.expected)
        #expect(try Connection(conninfo).execute("SELECT count(*) FROM cdr.reject").scalar == "0")
    }

    /// A Kamailio call's identity is its call_id: the last line of a failed INVITE, found alone in
    /// the next file (after a rotation), starts a second earlier than the merged call and is still
    /// the same call.
    @Test func aKamailioCallPartFoundLaterIsTheSameCall() throws {
        let conninfo = try TestDatabase.createMigrated(prefix: "kamkey")
        let folder = try TemporaryFolder()
        let missed =
            Self.kamailio.replacingOccurrences(of: "transaction answered", with: "call missed")
            + "timestamp=\(Self.noon + 1);method=INVITE;from_tag=f;to_tag=t;call_id=k2;code=486;reason=Busy;src_user=0701234567;dst_user=0812345678\n"
        let cdr =
            "\(Self.day) sip kamailio[2926]: NOTICE: acc [acc_cdr.c:395]: log_write_cdr(): start_time=\(Self.noon).250; end_time=\(Self.noon).250; duration=0; call_id=k2; caller=0701234567; callee=0812345678\n"
        let second = missed.replacingOccurrences(of: "call missed", with: "transaction answered")
        let first = try folder.write("acc.log.1", missed + cdr)
        let rotated = try folder.write("acc.log", second)
        let arguments = ["ingest", "--db", conninfo, "--feed", "k", "--format", "kamailio-acc", "--country-code", "46"]
        let run = try CLIRunner.run(arguments + [first, rotated])
        #expect(run.status == 0, "\(run.stderr)")
        let stored = try Connection(conninfo).execute("SELECT record_key, disposition, start_time::text FROM cdr.call")
        #expect(stored.rows.count == 1)
        #expect(stored.rows.first?[1] == "busy")
        #expect(stored.rows.first?[2]?.contains(".25") == true)
    }
}
