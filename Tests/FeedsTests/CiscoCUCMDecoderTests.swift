import CDRModel
import Feeds
import Foundation
import Testing

/// Cisco CUCM CDR files: columns by name from the header line, epoch times, IPv4 integers,
/// dispositions from the Q.850 causes, CMRs skipped, and resuming after the header.
struct CiscoCUCMDecoderTests {
    private func parse(_ text: String) throws -> [ParsedEvent] {
        var parser = try FeedSettings(format: "cisco-cucm", timeZone: "UTC", countryCode: "46").makeParser()
        let bytes = Array(text.utf8)
        let outcome = parseOnce(&parser, bytes)
        #expect(outcome.consumed == bytes.count)
        return outcome.events
    }

    /// The record the default `CUCMRow` stands for.
    private let defaultRecord = CallRecord(
        startTime: microseconds(2026, 10, 11, 12, 3, 27), answerTime: microseconds(2026, 10, 11, 12, 3, 30),
        endTime: microseconds(2026, 10, 11, 12, 5, 30), durationSeconds: 123, billableSeconds: 120,
        source: "+46701234567", destination: "+46812345678", sourceIP: IPAddress("192.168.18.188"),
        callType: .voice, disposition: .answered, equipment: "SEP001122334455", account: nil,
        recordKey: "1-1123456-27123457")

    @Test("A connected call: epoch times, origIpAddr's reversed bytes, parties in E.164, the call IDs as key")
    func connectedCall() throws {
        let events = try parse(CUCMRow.header() + CUCMRow().line())
        #expect(events.map(\.call) == [defaultRecord])
        #expect(events.first?.position.line == 3)
    }

    @Test("A file's last record without a line end is stored at the end of the file (CUCM writes files whole)")
    func lastRecordWithoutLineEnd() throws {
        var text = CUCMRow.header() + CUCMRow().line() + CUCMRow().line()
        #expect(text.last == "\n")
        text.removeLast()
        let events = try parse(text)
        #expect(events.map(\.call) == [defaultRecord, defaultRecord])
        #expect(events.last?.position.endOffset == Int64(text.utf8.count))
        #expect(events.last?.raw.last != UInt8(ascii: "\n"))
        var parser = try FeedSettings(format: "cisco-cucm", timeZone: "UTC", countryCode: "46").makeParser()
        let unfinished = parseOnce(&parser, Array(text.utf8), atEnd: false)
        #expect(unfinished.events.count == 1)
    }

    @Test("Columns are found by name: another order and fewer columns give the same record")
    func columnsByName() throws {
        let subset = CUCMRow.columns.filter { column in
            CUCMRow().values[column.name] != nil && column.name != "pkid"
        }.reversed()
        let names = Array(subset).sorted { $0.name == "cdrRecordType" && $1.name != "cdrRecordType" }
        #expect(names.first?.name == "cdrRecordType" && names.count < CUCMRow.columns.count)
        let events = try parse(CUCMRow.header(names) + CUCMRow().line(names))
        #expect(events.map(\.call) == [defaultRecord])
    }

    @Test(
        "Without a connection, the Q.850 cause decides (the called side's, else the caller's)",
        arguments: [
            ("0", "17", Disposition.busy), ("0", "19", .noAnswer), ("0", "18", .noAnswer), ("16", "0", .cancelled),
            ("0", "0", .cancelled), ("0", "21", .failed), ("0", "34", .congestion), ("0", "38", .congestion),
            ("0", "41", .congestion), ("0", "42", .congestion), ("0", "44", .congestion), ("0", "1", .failed),
            ("0", "393216", .failed),
        ])
    func dispositions(origCause: String, destCause: String, disposition: Disposition) throws {
        let row = CUCMRow([
            "origCause_value": origCause, "destCause_value": destCause, "dateTimeConnect": "0", "duration": "0",
        ])
        let call = try #require(try parse(CUCMRow.header() + row.line()).first?.call)
        #expect(call.disposition == disposition && call.answerTime == nil && call.billableSeconds == 0)
        #expect(call.durationSeconds == 123)
    }

    @Test("A connected call is answered whatever its causes")
    func connectedIsAnswered() throws {
        let row = CUCMRow(["origCause_value": "16", "destCause_value": "0"])
        #expect(try parse(CUCMRow.header() + row.line()).first?.call?.disposition == .answered)
    }

    @Test(
        "The source IP: origIpv4v6Addr when set, else origIpAddr's integer; 0 is none",
        arguments: [
            (["origIpAddr": "-1139627840", "origIpv4v6Addr": ""], "192.168.18.188"),
            (["origIpAddr": "3155339456", "origIpv4v6Addr": ""], "192.168.18.188"),
            (["origIpAddr": "16777343", "origIpv4v6Addr": ""], "127.0.0.1"),
            (["origIpAddr": "-1139627840", "origIpv4v6Addr": "2001:db8::15"], "2001:db8::15"),
            (["origIpAddr": "0", "origIpv4v6Addr": "192.0.2.7"], "192.0.2.7"),
            (["origIpAddr": "0", "origIpv4v6Addr": ""], nil),
        ] as [([String: String], String?)])
    func sourceIP(values: [String: String], address: String?) throws {
        let call = try #require(try parse(CUCMRow.header() + CUCMRow(values).line()).first?.call)
        #expect(call.sourceIP == address.flatMap { IPAddress($0) })
    }

    @Test("An empty finalCalledPartyNumber falls back to originalCalledPartyNumber; a video codec makes a video call")
    func fallbacks() throws {
        let row = CUCMRow([
            "finalCalledPartyNumber": "", "originalCalledPartyNumber": "2001", "origVideoCap_Codec": "103",
            "origDeviceName": "",
        ])
        let call = try #require(try parse(CUCMRow.header() + row.line()).first?.call)
        #expect(call.destination == "2001" && call.callType == .video && call.equipment == nil)
    }

    @Test("CMRs (2) and start records (0) are skipped; another record type is refused")
    func recordTypes() throws {
        let events = try parse(
            CUCMRow.header() + CUCMRow(["cdrRecordType": "2"]).line() + CUCMRow(["cdrRecordType": "0"]).line()
                + CUCMRow(["cdrRecordType": "7"]).line() + CUCMRow().line())
        #expect(events.count == 2)
        #expect(events[0].rejection?.reason == "cdrRecordType '7' is not 1 (CDR), 2 (CMR) or 0 (start record)")
        #expect(events[0].position.line == 5)
        #expect(events[1].call == defaultRecord && events[1].position.line == 6)
    }

    @Test("A record before any header line is refused; the header then makes the next ones readable")
    func recordBeforeHeader() throws {
        let events = try parse(CUCMRow().line() + CUCMRow.header() + CUCMRow().line())
        #expect(events.count == 2)
        #expect(
            events[0].rejection?.reason
                == "no header line seen yet: a CUCM CDR file starts with the line of column names (\"cdrRecordType\",...)"
        )
        #expect(events[1].call == defaultRecord)
    }

    @Test("A header without a required column: its CDRs are refused, saying which")
    func headerMissingAColumn() throws {
        let columns = CUCMRow.columns.filter { $0.name != "dateTimeConnect" }
        let events = try parse(CUCMRow.header(columns) + CUCMRow().line(columns))
        #expect(events.first?.rejection?.reason.hasPrefix("the header line has no column dateTimeConnect") == true)
    }

    @Test(
        "Refusals name the column and the value",
        arguments: [
            (["dateTimeOrigination": "0"], "dateTimeOrigination is 0 (no time)"),
            (["dateTimeDisconnect": "1791720200"], "dateTimeDisconnect is before dateTimeOrigination"),
            (["dateTimeConnect": "abc"], "dateTimeConnect 'abc' is not a whole number of seconds since 1970"),
            (
                ["dateTimeOrigination": "999999999999999999"],
                "dateTimeOrigination 999999999999999999 is after the year 9999"
            ),
            (["duration": "200"], "billable seconds (200) are more than the duration (123)"),
            (
                ["origIpAddr": "4294967296"],
                "origIpAddr '4294967296' is not a 32-bit integer (CUCM's form of an IPv4 address)"
            ),
            (
                ["origIpAddr": "-2147483649"],
                "origIpAddr '-2147483649' is not a 32-bit integer (CUCM's form of an IPv4 address)"
            ),
            (["origIpv4v6Addr": "192.168.1"], "origIpv4v6Addr '192.168.1' is not an IPv4 or IPv6 address"),
        ])
    func refusals(values: [String: String], reason: String) throws {
        let events = try parse(CUCMRow.header() + CUCMRow(values).line() + CUCMRow().line())
        #expect(events.map(\.rejection?.reason) == [reason, nil])
        #expect(events.last?.call == defaultRecord)
    }

    @Test("A line with another number of columns than the header names is refused")
    func columnCount() throws {
        let events = try parse(CUCMRow.header() + "1,1,2,3\n")
        #expect(
            events.first?.rejection?.reason
                == "expected \(CUCMRow.columns.count) columns (as the header line names them), found 4")
    }

    @Test("Resuming mid-file: the reader gives the parser the header line again")
    func resumeMidFile() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("cdrstore-cucm-\(UInt64.random(in: 0...UInt64.max)).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let rows = (1...3).map { CUCMRow(["origLegCallIdentifier": "2712345\($0)"]).line() }
        let header = CUCMRow.header()
        try Data((header + rows.joined()).utf8).write(to: URL(fileURLWithPath: path))
        let reader = try FeedFileReader(path: path)
        defer { reader.close() }
        var parser = try FeedSettings(format: "cisco-cucm", timeZone: "UTC", countryCode: "46").makeParser()
        parser.linesConsumed = 3
        var events: [ParsedEvent] = []
        _ = try reader.parse(from: Int64(header.utf8.count + rows[0].utf8.count), with: &parser) {
            events.append(ParsedEvent($0))
        }
        #expect(events.map(\.call?.recordKey) == ["1-1123456-27123452", "1-1123456-27123453"])
        #expect(events.map(\.position.line) == [4, 5])
        var expected = defaultRecord
        expected.recordKey = "1-1123456-27123452"
        #expect(events.first?.call == expected)
    }
}
