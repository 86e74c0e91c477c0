import Foundation
import Postgres
import TestSupport
import Testing

/// Calls through a real Kamailio 5.6 (Debian's package) with `deploy/kamailio/kamailio.cfg`, driven
/// by sipp, ingested with `cdrstore ingest --format kamailio-acc`: every call stored once with its
/// parties, times and disposition, from transaction and CDR lines together, from each alone, twice,
/// and from a log read while it grew.
@Suite(.serialized) struct KamailioLiveTests {
    /// One call of the run: the sipp scenarios at both ends and what the store must say of it.
    struct Call {
        let caller: String
        let callee: String
        let scenario: String
        let reaching: KamailioLab.Callee
        let disposition: String
        /// Its disposition when only CDR lines are logged (they carry no SIP code).
        var cdrDisposition: String { disposition == "answered" ? "answered" : "no_answer" }
        /// The caller and callee as stored (E.164).
        var storedCaller: String { "+46" + caller.dropFirst() }
        var storedCallee: String { "+46" + callee.dropFirst() }
        /// A dialog that expires: only its CDR line ends it.
        var expires: Bool { scenario == "uac-no-bye" }
    }

    static let plan: [(String, KamailioLab.Callee, String)] = [
        ("uac-caller-hangs-up", .answers, "answered"), ("uac-callee-hangs-up", .hangsUp, "answered"),
        ("uac-refused", .refuses486, "busy"), ("uac-refused", .refuses404, "failed"),
        ("uac-cancel", .rings, "cancelled"), ("uac-refused", .rings, "no_answer"),  // the proxy's 408
        ("uac-reinvite", .answers, "answered"), ("uac-no-bye", .answers, "answered"),
        ("uac-refused", .refuses603, "failed"), ("uac-refused", .refuses480, "no_answer"),
    ]

    static let calls: [Call] = plan.enumerated().map { index, call in
        let number = String(format: "%03d", index + 1)
        return Call(
            caller: "0701234\(number)", callee: "0812345\(number)", scenario: call.0, reaching: call.1,
            disposition: call.2)
    }

    /// The log of one run of all the calls, kept for every test of the suite.
    static let log: Result<[String], any Error> = Result {
        let lab = try KamailioLab(dialogTimeout: 3)
        defer { lab.stop() }
        for call in calls {
            try lab.call(call.scenario, from: call.caller, to: call.callee, reaching: call.reaching)
        }
        try lab.waitForLines(containing: "log_write_cdr", count: calls.count, seconds: 20)
        // A call waits 10 s (by the wall clock at the end of the log) for its other half.
        Thread.sleep(forTimeInterval: 11)
        return try lab.logLines()
    }

    /// Ingests `lines` as feed `feed`, twice, and returns the stored calls ordered by caller:
    /// source, destination, disposition, answered, start, end, duration, billable, key.
    func ingest(_ lines: [String], feed: String, into conninfo: String) throws -> [[String?]] {
        let folder = try TemporaryFolder()
        let file = try folder.write("acc.log", lines.map { $0 + "\n" }.joined())
        let arguments = [
            "ingest", "--db", conninfo, "--feed", feed, "--format", "kamailio-acc", "--country-code", "46", file,
        ]
        for _ in 0..<2 {
            let run = try CLIRunner.run(arguments)
            #expect(run.status == 0, "\(run.stderr)")
        }
        return try stored(feed: feed, in: conninfo)
    }

    func stored(feed: String, in conninfo: String) throws -> [[String?]] {
        try Connection(conninfo).execute(
            """
            SELECT source, destination, disposition, (answer_time IS NOT NULL)::text, start_time::text,
                   end_time::text, duration_s::text, billable_s::text, record_key
            FROM cdr.call WHERE feed = $1 ORDER BY source
            """, [.text(feed)]
        ).rows
    }

    @Test func bothOutputsStoreEachCallOnceWithItsPartiesAndTheCDRLinesTimes() throws {
        let lines = try Self.log.get()
        let conninfo = try TestDatabase.createMigrated(prefix: "kamailio")
        let both = try ingest(lines, feed: "both", into: conninfo)
        let cdrOnly = try ingest(lines.filter { !$0.contains("ACC: ") }, feed: "cdr", into: conninfo)
        let transactions = try ingest(lines.filter { !$0.contains("log_write_cdr") }, feed: "tx", into: conninfo)

        #expect(
            both.map { Array($0[0...3]) }
                == Self.calls.map {
                    [$0.storedCaller, $0.storedCallee, $0.disposition, String($0.disposition == "answered")]
                })
        #expect(Set(both.map { $0[8] }).count == Self.calls.count)
        // The CDR line's times, to the millisecond, whether or not transaction lines come too.
        #expect(both.map { Array($0[4...8]) } == cdrOnly.map { Array($0[4...8]) })
        #expect(both.contains { $0[4]!.contains(".") })
        #expect(cdrOnly.map { $0[2] } == Self.calls.map(\.cdrDisposition))
        // Transaction lines alone: the same calls to the second, but the expired dialog still waits.
        let waiting = Self.calls.filter { !$0.expires }
        #expect(
            transactions.map { Array($0[0...2]) } == waiting.map { [$0.storedCaller, $0.storedCallee, $0.disposition] })
        #expect(transactions.allSatisfy { !$0[4]!.contains(".") })
        let expired = try #require(both.first { $0[0] == "+46701234008" })
        #expect((2...5).contains(Int(expired[6]!)!), "the dialog expires about 3 s after the answer: \(expired)")
        for row in both where row[3] == "true" {
            #expect(Int(row[6]!)! >= 1 && Int(row[7]!)! <= Int(row[6]!)!, "\(row)")
        }
        #expect(try Connection(conninfo).execute("SELECT count(*) FROM cdr.reject").scalar == "0")
    }

    /// The log read while it grew, cut inside a call (after the callee-hangs-up call's INVITE):
    /// the second run stores the rest, and the call cut in two is stored once.
    @Test func aLogReadWhileItGrewStoresEachCallOnce() throws {
        let lines = try Self.log.get()
        let conninfo = try TestDatabase.createMigrated(prefix: "kamailio")
        let whole = try ingest(lines, feed: "whole", into: conninfo)
        let cut = try #require(lines.firstIndex { $0.contains("BYE") && $0.contains("src_user=0812345002") })
        let folder = try TemporaryFolder()
        let file = try folder.write("acc.log", lines[..<cut].map { $0 + "\n" }.joined())
        let arguments = [
            "ingest", "--db", conninfo, "--feed", "grown", "--format", "kamailio-acc", "--country-code", "46", file,
        ]
        let first = try CLIRunner.run(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        try Data(lines[cut...].map { $0 + "\n" }.joined().utf8).append(toFile: file)
        let second = try CLIRunner.run(arguments)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try stored(feed: "grown", in: conninfo) == whole)
    }
}

extension Data {
    fileprivate func append(toFile path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: self)
    }
}
