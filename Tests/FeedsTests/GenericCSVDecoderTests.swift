import CDRModel
import Feeds
import Testing

/// `--format csv`: columns named by `--columns` or by a header line, Asterisk `cdr_custom` names,
/// values derived from the ones a feed lacks, and refusals.
struct GenericCSVDecoderTests {
    private func parse(_ text: String, columns: String? = nil) throws -> [ParsedEvent] {
        let names = columns.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        var parser = try FeedSettings(
            format: "csv", timeZone: "Europe/Stockholm", countryCode: "46", columns: names
        ).makeParser()
        let bytes = Array(text.utf8)
        let outcome = parseOnce(&parser, bytes)
        #expect(outcome.consumed == bytes.count)
        return outcome.events
    }

    private static let customColumns =
        "clid,src,dst,dcontext,channel,dstchannel,lastapp,lastdata,start,answer,end,duration,billsec,disposition,amaflags,accountcode,uniqueid,userfield,sequence"

    @Test("Asterisk cdr_custom's 19 columns, named by --columns")
    func asteriskCustomColumns() throws {
        let events = try parse(
            """
            \"\"\"Alice\"\" <0701234567>","0701234567","0046812345678","from-internal","PJSIP/alice-0000002a","PJSIP/trunk-0000002b","Dial","PJSIP/trunk/0046812345678","2026-10-11 14:03:27","2026-10-11 14:03:30","2026-10-11 14:05:30","123","120","ANSWERED","DOCUMENTATION","acme","1760184207.42","",7
            "","0701234567","1234","from-internal","PJSIP/alice-0000002c","","ReceiveFAX","","2026-10-11 14:10:00","","2026-10-11 14:10:30","30","0","NO ANSWER","DOCUMENTATION","","1760184600.43","",8

            """, columns: Self.customColumns)
        var answered = defaultRecord(recordKey: "1760184207.42#7")
        answered.equipment = "PJSIP/alice"
        #expect(
            events.map(\.call) == [
                answered,
                CallRecord(
                    startTime: microseconds(2026, 10, 11, 12, 10, 0), answerTime: nil,
                    endTime: microseconds(2026, 10, 11, 12, 10, 30), durationSeconds: 30, billableSeconds: 0,
                    source: "+46701234567", destination: "1234", callType: .fax, disposition: .noAnswer,
                    equipment: "PJSIP/alice", account: nil, recordKey: "1760184600.43#8"),
            ])
    }

    @Test("A header line with a name not understood is refused, and so are the lines under it")
    func headerWithUnknownName() throws {
        let events = try parse(
            """
            start,end,src,dst,notes
            2026-10-11 14:03:27,2026-10-11 14:05:30,070,080,x

            """)
        #expect(events.count == 2)
        let header = try #require(events[0].rejection)
        #expect(header.reason.hasPrefix("header line: unknown column name 'notes'") && header.line == 1)
        #expect(events[1].rejection?.reason.contains("unknown column name 'notes'") == true)
    }

    @Test("A header line names the columns (any order, any case, a BOM, - to ignore); it is no record")
    func headerThenRecords() throws {
        let events = try parse(
            """
            \u{FEFF}Start,END,src,dst,source_ip,call_type,disposition,record_key,account,equipment,-
            2026-10-11 14:03:27,2026-10-11 14:05:30,+46701234567,0812345678,2001:db8::1,video,busy,k1,acme,Polycom VVX 450,x

            """)
        #expect(
            events.map(\.call) == [
                CallRecord(
                    startTime: microseconds(2026, 10, 11, 12, 3, 27), answerTime: nil,
                    endTime: microseconds(2026, 10, 11, 12, 5, 30), durationSeconds: 123, billableSeconds: 0,
                    source: "+46701234567", destination: "+46812345678", sourceIP: IPAddress("2001:db8::1"),
                    callType: .video, disposition: .busy, equipment: "Polycom VVX 450", account: "acme",
                    recordKey: "k1")
            ])
        #expect(events.first?.position.line == 2)
    }

    @Test(
        "What a line lacks is derived: duration from start and end, end from start and duration, billsec from answer and end, disposition from answer",
        arguments: [
            (
                "start,answer,end,src,dst", "2026-10-11 14:03:27,2026-10-11 14:03:30,2026-10-11 14:05:30,070,080", 123,
                120, true, Disposition.answered
            ),
            (
                "start,answer,duration,src,dst", "2026-10-11 14:03:27,2026-10-11 14:03:30,123,070,080", 123, 120, true,
                .answered
            ),
            (
                "start,end,duration,billsec,src,dst,disposition",
                "2026-10-11 14:03:27,2026-10-11 14:05:30,123,120,070,080,ANSWERED", 123, 120, false, .answered
            ),
            (
                "start,answer,end,src,dst,disposition", "2026-10-11 14:03:27,,2026-10-11 14:05:30,070,080,", 123, 0,
                false, .noAnswer
            ),
            (
                "start,answer,end,src,dst,disposition", "2026-10-11 14:03:27,,2026-10-11 14:05:30,070,080,cancelled",
                123, 0, false, .cancelled
            ),
            (
                "start,end,src,dst,disposition", "2026-10-11 14:03:27,2026-10-11 14:05:30,070,080,CONGESTION", 123, 0,
                false, .congestion
            ),
        ] as [(String, String, Int32, Int32, Bool, Disposition)])
    func derivedValues(
        columns: String, line: String, duration: Int32, billsec: Int32, hasAnswer: Bool, disposition: Disposition
    ) throws {
        let call = try #require(try parse(line + "\n", columns: columns).first?.call)
        #expect(call.startTime == microseconds(2026, 10, 11, 12, 3, 27))
        #expect(call.endTime == microseconds(2026, 10, 11, 12, 5, 30))
        #expect(call.answerTime == (hasAnswer ? microseconds(2026, 10, 11, 12, 3, 30) : nil))
        #expect(call.durationSeconds == duration && call.billableSeconds == billsec)
        #expect(call.disposition == disposition)
        #expect(call.source == "070" && call.destination == "080" && call.recordKey == nil)
    }

    @Test(
        "Bad --columns are a settings error that says what to do",
        arguments: [
            (
                ["start", "src", "dst", "end", "stop"],
                "--columns: unknown column name 'stop'; the names are: start, answer, end,"
            ),
            (
                ["start", "src", "dst", "end", "uniqueid", "record_key"],
                "column 6 ('record_key') holds the same thing as column 5 ('uniqueid')"
            ),
            (["start", "src", "end"], "no dst column; start, src and dst are required"),
            (["start", "src", "dst", "answer"], "neither an end nor a duration column"),
            (["start", "src", "dst", "end", "channel", "equipment"], "equipment and channel both give the equipment"),
        ])
    func badColumns(names: [String], message: String) {
        #expect {
            _ = try FeedSettings(format: "csv", timeZone: "UTC", countryCode: nil, columns: names)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test("--columns with another format is refused")
    func columnsOnlyForCSV() {
        #expect {
            _ = try FeedSettings(
                format: "asterisk-csv", timeZone: "UTC", countryCode: nil, columns: ["start", "src", "dst", "end"])
        } throws: { error in
            "\(error)" == "--columns is only for --format csv (asterisk-csv has its own columns)"
        }
    }

    @Test("A refused header line: it and the lines under it are refused, each saying why")
    func refusedHeader() throws {
        let events = try parse(
            """
            2026-10-11 14:03:27,2026-10-11 14:05:30,070,080
            2026-10-11 14:03:27,2026-10-11 14:05:30,070,080

            """)
        #expect(events.count == 2)
        #expect(
            events[0].rejection?.reason
                == "header line: unknown column name '2026-10-11 14:03:27'; the names are: \(CSVColumnMap.knownNames) (the first line must name the columns, or give --columns)"
        )
        #expect(
            events[1].rejection?.reason.hasPrefix("the columns are unknown, since the header line was refused") == true)
    }

    @Test(
        "Refusals name the column and the value; the next line is read",
        arguments: [
            ("2026-10-11 14:03:27,2026-10-11 14:05:30,070", "expected 6 columns (as --columns names them), found 3"),
            (
                "2026-10-11 14:03:27,2026-10-11 14:05:30,070,080,not-an-ip,",
                "source_ip 'not-an-ip' is not an IPv4 or IPv6 address"
            ),
            ("2026-10-11 14:03:27,2026-10-11 14:05:30,070,080,,sms", "call_type 'sms' is not voice, video or fax"),
            ("2026-10-11 14:03:27,2026-10-11 14:05:30,070,080,,", ""),
            ("2026-10-11 14:03:27,,070,080,,", "end time is empty"),
            ("2026-10-11 14:05:30,2026-10-11 14:03:27,070,080,,", "end time is before start time"),
        ])
    func refusals(line: String, reason: String) throws {
        let good = "2026-10-11 14:03:27,2026-10-11 14:05:30,070,080,,fax\n"
        let events = try parse(line + "\n" + good, columns: "start,end,src,dst,source_ip,call_type")
        #expect(events.count == 2)
        if reason.isEmpty {
            #expect(events[0].call?.callType == .voice)
        } else {
            #expect(events[0].rejection?.reason == reason)
        }
        #expect(events[1].call?.callType == .fax)
    }

    @Test("An unknown disposition is refused with the words understood")
    func unknownDisposition() throws {
        let events = try parse(
            "2026-10-11 14:03:27,2026-10-11 14:05:30,070,080,HUNG UP\n", columns: "start,end,src,dst,disposition")
        #expect(
            events.first?.rejection?.reason
                == "unknown disposition 'HUNG UP' (expected ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION, CANCEL or answered, no_answer, busy, failed, congestion, cancelled)"
        )
    }
}
