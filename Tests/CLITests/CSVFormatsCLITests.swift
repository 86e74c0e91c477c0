import Foundation
import TestSupport
import Testing

/// `cdrstore parse` on the CSV-based formats beyond Asterisk: the exact canonical record of a fixture file.
@Suite struct CSVFormatsCLITests {
    let folder: TemporaryFolder
    init() throws { folder = try TemporaryFolder() }

    /// Runs `cdrstore parse` with `arguments` on a file holding `text` and returns stdout's lines.
    private func parse(_ arguments: [String], _ text: String) throws -> [String] {
        let file = try folder.write("feed.csv", text)
        let result = try CLIRunner.run(["parse"] + arguments + [file])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    @Test func freeSWITCHCSV() throws {
        let lines = try parse(
            ["--format", "freeswitch-csv", "--tz", "Europe/Stockholm", "--country-code", "46"],
            """
            "Bob "The Builder" Smith","0701234567","0812345678","default","2026-10-11 14:03:27","2026-10-11 14:03:30","2026-10-11 14:05:30","123","120","NORMAL_CLEARING","5b7a1c2e-2f1d-4c8e-9a61-0d3f7b2c9e10","","acme","PCMA","PCMA"
            "Bob","0701234567","1003","default","2026-10-11 14:03:27","2026-10-11 14:03:30","2026-10-11 14:05:30","123","120","NORMAL_CLEARING","c0ffee00-1111-4222-8333-444455556666","5b7a1c2e-2f1d-4c8e-9a61-0d3f7b2c9e10","","PCMA","PCMA"

            """)
        #expect(
            lines == [
                #"{"start_time":"2026-10-11T12:03:27Z","answer_time":"2026-10-11T12:03:30Z","end_time":"2026-10-11T12:05:30Z","duration_s":123,"billable_s":120,"source":"+46701234567","destination":"+46812345678","source_ip":null,"call_type":"voice","disposition":"answered","equipment":null,"account":"acme","record_key":"5b7a1c2e-2f1d-4c8e-9a61-0d3f7b2c9e10","linked_key":null}"#,
                #"{"start_time":"2026-10-11T12:03:27Z","answer_time":"2026-10-11T12:03:30Z","end_time":"2026-10-11T12:05:30Z","duration_s":123,"billable_s":120,"source":"+46701234567","destination":"1003","source_ip":null,"call_type":"voice","disposition":"answered","equipment":null,"account":null,"record_key":"c0ffee00-1111-4222-8333-444455556666","linked_key":"5b7a1c2e-2f1d-4c8e-9a61-0d3f7b2c9e10"}"#,
            ])
    }

    @Test func csvWithColumns() throws {
        let lines = try parse(
            [
                "--format", "csv", "--tz", "Europe/Stockholm", "--country-code", "46", "--columns",
                "clid,src,dst,dcontext,channel,dstchannel,lastapp,lastdata,start,answer,end,duration,billsec,disposition,amaflags,accountcode,uniqueid,userfield,sequence",
            ],
            """
            \"\"\"Alice\"\" <0701234567>","0701234567","0812345678","from-internal","PJSIP/alice-0000002a","PJSIP/trunk-0000002b","Dial","PJSIP/trunk/0812345678","2026-10-11 14:03:27","2026-10-11 14:03:30","2026-10-11 14:05:30","123","120","ANSWERED","DOCUMENTATION","acme","1760184207.42","",7

            """)
        #expect(
            lines == [
                #"{"start_time":"2026-10-11T12:03:27Z","answer_time":"2026-10-11T12:03:30Z","end_time":"2026-10-11T12:05:30Z","duration_s":123,"billable_s":120,"source":"+46701234567","destination":"+46812345678","source_ip":null,"call_type":"voice","disposition":"answered","equipment":"PJSIP/alice","account":"acme","record_key":"1760184207.42#7","linked_key":null}"#
            ])
    }

    @Test func csvWithHeaderLine() throws {
        let lines = try parse(
            ["--format", "csv"],
            """
            start,duration,src,dst,source_ip,disposition
            2026-10-11 12:03:27,123,+46701234567,+46812345678,192.0.2.10,busy

            """)
        #expect(
            lines == [
                #"{"start_time":"2026-10-11T12:03:27Z","answer_time":null,"end_time":"2026-10-11T12:05:30Z","duration_s":123,"billable_s":0,"source":"+46701234567","destination":"+46812345678","source_ip":"192.0.2.10","call_type":"voice","disposition":"busy","equipment":null,"account":null,"record_key":null,"linked_key":null}"#
            ])
    }

    @Test func unknownColumnNameIsOneSentence() throws {
        let file = try folder.write("feed.csv", "")
        let result = try CLIRunner.run(["parse", "--format", "csv", "--columns", "start,src,dst,stop", file])
        #expect(result.status == 1)
        #expect(
            result.stderr.hasPrefix("cdrstore: --columns: unknown column name 'stop'; the names are: start, answer,"))
    }

    @Test func ciscoCUCM() throws {
        let lines = try parse(
            ["--format", "cisco-cucm", "--country-code", "46"],
            """
            "cdrRecordType","globalCallID_callManagerId","globalCallID_callId","origLegCallIdentifier","dateTimeOrigination","origNodeId","origSpan","origIpAddr","callingPartyNumber","origCause_value","destLegIdentifier","originalCalledPartyNumber","finalCalledPartyNumber","destCause_value","dateTimeConnect","dateTimeDisconnect","duration","origDeviceName","destDeviceName","origIpv4v6Addr"
            INTEGER,INTEGER,INTEGER,INTEGER,INTEGER,INTEGER,INTEGER,INTEGER,VARCHAR(50),INTEGER,INTEGER,VARCHAR(50),VARCHAR(50),INTEGER,INTEGER,INTEGER,INTEGER,VARCHAR(129),VARCHAR(129),VARCHAR(64)
            1,1,1123456,27123457,1791720207,1,0,-1139627840,"0701234567",0,27123458,"0812345678","0812345678",16,1791720210,1791720330,120,"SEP001122334455","SEP00AABBCCDDEE",""
            1,1,1123460,27123470,1791720400,1,0,-1139627840,"0701234567",0,27123471,"2001","2001",17,0,1791720403,0,"SEP001122334455","SEP00AABBCCDDEE","192.168.18.188"
            2,1,1123456,27123457,1791720207,1,0,0,"",0,0,"","",0,0,0,0,"",""

            """)
        #expect(
            lines == [
                #"{"start_time":"2026-10-11T12:03:27Z","answer_time":"2026-10-11T12:03:30Z","end_time":"2026-10-11T12:05:30Z","duration_s":123,"billable_s":120,"source":"+46701234567","destination":"+46812345678","source_ip":"192.168.18.188","call_type":"voice","disposition":"answered","equipment":"SEP001122334455","account":null,"record_key":"1-1123456-27123457","linked_key":null}"#,
                #"{"start_time":"2026-10-11T12:06:40Z","answer_time":null,"end_time":"2026-10-11T12:06:43Z","duration_s":3,"billable_s":0,"source":"+46701234567","destination":"2001","source_ip":"192.168.18.188","call_type":"voice","disposition":"busy","equipment":"SEP001122334455","account":null,"record_key":"1-1123460-27123470","linked_key":null}"#,
            ])
    }
}
