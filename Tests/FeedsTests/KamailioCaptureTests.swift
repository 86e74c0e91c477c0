import CDRModel
import Feeds
import Foundation
import Testing

/// A log that Kamailio 5.6.3 (Debian's package) wrote with `deploy/kamailio/kamailio.cfg`, transaction
/// lines and dialog CDR lines both on, for ten sipp calls: answered and hung up by the caller (…9326),
/// by the callee (…9328), 486 (…9330), 404 (…9332), cancelled while ringing (…9334), the proxy's 408
/// (…9336), a re-INVITE mid-call (…9338), a dialog that expired without BYE (…9340), 603 (…9342) and
/// 480 (…9344). The same log keeping only one kind of line is what Kamailio writes with only that
/// output on.
@Suite struct KamailioCaptureTests {
    static let capture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Captures/kamailio-5.6.3-acc-and-cdr.log")

    static func lines(keeping keep: (String) -> Bool = { _ in true }) throws -> [String] {
        try String(contentsOf: capture, encoding: .utf8).split(separator: "\n").map(String.init).filter(keep)
    }

    /// Each call as one comparable line: key, start, answer, end, seconds, parties, disposition.
    static func summary(_ call: CallRecord) -> String {
        [
            call.recordKey ?? "-", CanonicalJSON.timestamp(call.startTime),
            call.answerTime.map(CanonicalJSON.timestamp) ?? "-", CanonicalJSON.timestamp(call.endTime),
            "\(call.durationSeconds)/\(call.billableSeconds)", call.source, call.destination,
            call.disposition.rawValue, call.sourceIP?.description ?? "-",
        ].joined(separator: " ")
    }

    func parse(_ lines: [String], from offset: Int64 = 0, lines consumed: Int64 = 0) -> (
        ParseOutcome, LineFeedParser<KamailioAccDecoder>
    ) {
        var parser = LineFeedParser(
            decoder: KamailioAccDecoder(normaliser: NumberNormaliser(countryCode: "46"), endOfInputTime: .max))
        parser.linesConsumed = consumed
        let outcome = parseOnce(&parser, Array(lines.map { $0 + "\n" }.joined().utf8), baseOffset: offset)
        return (outcome, parser)
    }

    static let merged = [
        "1-9326@127.0.0.1 2026-12-02T14:08:42.750000Z 2026-12-02T14:08:42.750000Z 2026-12-02T14:08:44.157000Z 1/1 +46701234001 +46812345001 answered 127.0.0.1",
        "1-9328@127.0.0.1 2026-12-02T14:08:44.270000Z 2026-12-02T14:08:44.270000Z 2026-12-02T14:08:45.482000Z 1/1 +46701234002 +46812345002 answered 127.0.0.1",
        "1-9330@127.0.0.1 2026-12-02T14:08:45.598000Z - 2026-12-02T14:08:45.598000Z 0/0 +46701234003 +46812345003 busy 127.0.0.1",
        "1-9332@127.0.0.1 2026-12-02T14:08:45.710000Z - 2026-12-02T14:08:45.710000Z 0/0 +46701234004 +46812345004 failed 127.0.0.1",
        "1-9334@127.0.0.1 2026-12-02T14:08:45.826000Z - 2026-12-02T14:08:45.826000Z 0/0 +46701234005 +46812345005 cancelled 127.0.0.1",
        "1-9336@127.0.0.1 2026-12-02T14:08:46.445000Z - 2026-12-02T14:08:46.445000Z 0/0 +46701234006 +46812345006 no_answer 127.0.0.1",
        "1-9338@127.0.0.1 2026-12-02T14:08:50.521000Z 2026-12-02T14:08:50.521000Z 2026-12-02T14:08:51.937000Z 1/1 +46701234007 +46812345007 answered 127.0.0.1",
        "1-9342@127.0.0.1 2026-12-02T14:08:52.369000Z - 2026-12-02T14:08:52.369000Z 0/0 +46701234009 +46812345009 failed 127.0.0.1",
        "1-9344@127.0.0.1 2026-12-02T14:08:52.481000Z - 2026-12-02T14:08:52.481000Z 0/0 +46701234010 +46812345010 no_answer 127.0.0.1",
        "1-9340@127.0.0.1 2026-12-02T14:08:52.046000Z 2026-12-02T14:08:52.046000Z 2026-12-02T14:08:55.656000Z 3/3 +46701234008 +46812345008 answered 127.0.0.1",
    ]

    @Test func bothOutputsMakeOneCallPerCallIDWithTheInvitesPartiesAndTheCDRsTimes() throws {
        let (outcome, parser) = parse(try Self.lines())
        #expect(outcome.events.compactMap(\.rejection).isEmpty)
        #expect(outcome.events.compactMap(\.call).map(Self.summary) == Self.merged)
        #expect(parser.unfinishedRecordOffset == nil)
    }

    @Test func transactionLinesAloneMakeTheSameCallsToTheSecondAndLeaveTheExpiredDialogWaiting() throws {
        let lines = try Self.lines { !$0.contains("log_write_cdr") }
        let (outcome, parser) = parse(lines)
        #expect(
            outcome.events.compactMap(\.call).map(Self.summary) == [
                "1-9326@127.0.0.1 2026-12-02T14:08:42Z 2026-12-02T14:08:42Z 2026-12-02T14:08:44Z 2/2 +46701234001 +46812345001 answered 127.0.0.1",
                "1-9328@127.0.0.1 2026-12-02T14:08:44Z 2026-12-02T14:08:44Z 2026-12-02T14:08:45Z 1/1 +46701234002 +46812345002 answered 127.0.0.1",
                "1-9330@127.0.0.1 2026-12-02T14:08:45Z - 2026-12-02T14:08:45Z 0/0 +46701234003 +46812345003 busy 127.0.0.1",
                "1-9332@127.0.0.1 2026-12-02T14:08:45Z - 2026-12-02T14:08:45Z 0/0 +46701234004 +46812345004 failed 127.0.0.1",
                "1-9334@127.0.0.1 2026-12-02T14:08:46Z - 2026-12-02T14:08:46Z 0/0 +46701234005 +46812345005 cancelled 127.0.0.1",
                "1-9336@127.0.0.1 2026-12-02T14:08:50Z - 2026-12-02T14:08:50Z 0/0 +46701234006 +46812345006 no_answer 127.0.0.1",
                "1-9338@127.0.0.1 2026-12-02T14:08:50Z 2026-12-02T14:08:50Z 2026-12-02T14:08:51Z 1/1 +46701234007 +46812345007 answered 127.0.0.1",
                "1-9342@127.0.0.1 2026-12-02T14:08:52Z - 2026-12-02T14:08:52Z 0/0 +46701234009 +46812345009 failed 127.0.0.1",
                "1-9344@127.0.0.1 2026-12-02T14:08:52Z - 2026-12-02T14:08:52Z 0/0 +46701234010 +46812345010 no_answer 127.0.0.1",
            ])
        #expect(outcome.events.compactMap(\.rejection).isEmpty)
        let expiredInvite = try #require(lines.firstIndex { $0.contains("call_id=1-9340@") })
        #expect(parser.unfinishedRecordOffset == Int64(lines[..<expiredInvite].map { $0.utf8.count + 1 }.reduce(0, +)))
    }

    @Test func cdrLinesAloneMakeTheSameCallsWithoutTheFailureCodes() throws {
        let (outcome, _) = parse(try Self.lines { !$0.contains("ACC: ") })
        let expected = Self.merged.map {
            $0.replacingOccurrences(of: " busy ", with: " no_answer ").replacingOccurrences(
                of: " failed ", with: " no_answer "
            )
            .replacingOccurrences(of: " cancelled ", with: " no_answer ")
        }
        #expect(outcome.events.compactMap(\.call).map(Self.summary) == expected)
    }

    /// Each CDR line moved before its call's first transaction line (syslog may interleave the
    /// processes' lines), or the transaction lines in a later file than the CDR lines.
    @Test func theCDRLineMayComeFirst() throws {
        var lines = try Self.lines()
        for (index, line) in lines.enumerated() where line.contains("log_write_cdr") {
            let range = try #require(line.firstRange(of: /call_id=[^;]+;/))
            let key = String(line[range])
            let first = try #require(lines.firstIndex { $0.contains(key) })
            lines.remove(at: index)
            lines.insert(line, at: first)
        }
        #expect(lines != (try Self.lines()))
        let (outcome, _) = parse(lines)
        #expect(outcome.events.compactMap(\.rejection).isEmpty)
        #expect(outcome.events.compactMap(\.call).map(Self.summary).sorted() == Self.merged.sorted())
    }

    /// A run that commits any prefix of the calls and resumes where that commit says finds every
    /// other call, and whatever it finds again has the key of a call already stored.
    @Test func aRestartAfterAnyCallFindsTheRestAndRepeatsOnlyKnownKeys() throws {
        let lines = try Self.lines()
        let (whole, _) = parse(lines)
        let keys = Set(whole.events.compactMap { $0.call?.recordKey })
        for (index, event) in whole.events.enumerated() {
            let resume = event.position
            let skipped = lines.reduce(into: (bytes: Int64(0), count: 0)) { sum, line in
                if sum.bytes < resume.endOffset {
                    sum.bytes += Int64(line.utf8.count + 1)
                    sum.count += 1
                }
            }
            #expect(skipped.bytes == resume.endOffset)
            #expect(Int64(skipped.count) == resume.endLines)
            let (again, _) = parse(Array(lines[skipped.count...]), from: resume.endOffset, lines: resume.endLines)
            let before = Set(whole.events[...index].compactMap { $0.call?.recordKey })
            let after = again.events.compactMap { $0.call?.recordKey }
            #expect(before.union(after) == keys, "resumed after event \(index)")
            #expect(again.events.compactMap(\.rejection).isEmpty, "resumed after event \(index)")
        }
    }
}
