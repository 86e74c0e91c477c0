import CDRModel
import Foundation
import Postgres
import Store
import TestSupport
import Testing

/// Ingest's guarantees: exact contents, exactly once, rejects with their bytes, resumable files.
@Suite struct IngestTests {
    let store: StoreFixture
    init() throws { store = try StoreFixture() }

    @Test func storesEachRecordWithItsNormalisedValues() throws {
        let file = try store.folder.write(
            "Master.csv",
            AsteriskLine.make(
                account: "acme", source: "0701234567", destination: "0046812345678", start: "2026-10-11 14:03:27",
                answer: "2026-10-11 14:03:30", end: "2026-10-11 14:05:30", duration: "123", billsec: "120",
                uniqueID: "1760184207.42")
                + AsteriskLine.make(
                    account: "", source: "1001", destination: "s", start: "2026-10-11 15:00:00", answer: nil,
                    end: "2026-10-11 15:00:20", duration: "20", billsec: "0", disposition: "NO ANSWER",
                    uniqueID: "1760187600.43", channel: "PJSIP/1001-00000005", lastApp: "ReceiveFAX"))
        let summary = try store.ingest(file)
        #expect(summary.records == 2)
        #expect(summary.ingested == 2)
        #expect(summary.duplicates == 0)
        #expect(summary.rejected == 0)
        try store.connection.execute("SET TIME ZONE 'UTC'")
        let rows = try store.connection.execute(
            """
            SELECT start_time, answer_time, end_time, duration_s, billable_s, source, destination, source_ip,
                   call_type, disposition, equipment, account, feed, record_key, length(record_hash)
            FROM cdr.call ORDER BY start_time
            """
        ).rows
        #expect(
            rows == [
                [
                    "2026-10-11 12:03:27+00", "2026-10-11 12:03:30+00", "2026-10-11 12:05:30+00", "123", "120",
                    "+46701234567", "+46812345678", nil, "voice", "answered", "SIP/alice", "acme", "pbx1",
                    "1760184207.42", "16",
                ],
                [
                    "2026-10-11 13:00:00+00", nil, "2026-10-11 13:00:20+00", "20", "0", "1001", "s", nil, "fax",
                    "no_answer", "PJSIP/1001", nil, "pbx1", "1760187600.43", "16",
                ],
            ])
    }

    @Test func ingestingTheSameFileAgainAddsNothing() throws {
        let file = try store.folder.write("Master.csv", StoreFixture.lines(0..<10))
        #expect(try store.ingest(file).ingested == 10)
        let again = try store.ingest(file)
        #expect(again.records == 0)
        #expect(again.ingested == 0)
        #expect(again.resumedFrom == Int64(StoreFixture.lines(0..<10).utf8.count))
        #expect(try store.storedKeys() == StoreFixture.keys(0..<10))
    }

    @Test func aCopyUnderAnotherNameIsRecognisedByItsContent() throws {
        let text = StoreFixture.lines(0..<10)
        let original = try store.folder.write("Master.csv", text)
        try store.ingest(original)
        let copy = try store.folder.write("Master.csv.2026-10-11-00-36-14", text)
        let summary = try store.ingest(copy)
        #expect(summary.resumedFrom == Int64(text.utf8.count))
        #expect(summary.ingested == 0)
        #expect(try store.callCount() == 10)
    }

    @Test func aGrownFileIsReadFromTheCommittedOffset() throws {
        let first = StoreFixture.lines(0..<5)
        let file = try store.folder.write("Master.csv", first)
        try store.ingest(file)
        try store.folder.append("Master.csv", StoreFixture.lines(5..<8))
        let summary = try store.ingest(file)
        #expect(summary.resumedFrom == Int64(first.utf8.count))
        #expect(summary.records == 3)
        #expect(summary.ingested == 3)
        #expect(try store.storedKeys() == StoreFixture.keys(0..<8))
    }

    @Test func rotationLosesNothingAndDoublesNothing() throws {
        let file = try store.folder.write("Master.csv", StoreFixture.lines(0..<3))
        try store.ingest(file)
        // Asterisk writes one more line, then the file is rotated and a new Master.csv begins.
        try store.folder.append("Master.csv", StoreFixture.lines(3..<4))
        let rotated = store.folder.path + "/Master.csv.1"
        try FileManager.default.moveItem(atPath: file, toPath: rotated)
        try store.folder.write("Master.csv", StoreFixture.lines(4..<6))
        let fromRotated = try store.ingest(rotated)
        let fromNew = try store.ingest(file)
        #expect(fromRotated.ingested == 1)
        #expect(fromRotated.resumedFrom > 0)
        #expect(fromNew.ingested == 2)
        #expect(try store.storedKeys() == StoreFixture.keys(0..<6))
    }

    @Test func aFileRewrittenWithOtherContentIsReadFromTheStart() throws {
        let file = try store.folder.write("Master.csv", StoreFixture.lines(0..<4))
        try store.ingest(file)
        try store.folder.write("Master.csv", StoreFixture.lines(0..<2) + StoreFixture.lines(10..<13))
        let summary = try store.ingest(file)
        #expect(summary.resumedFrom == 0)
        #expect(summary.duplicates == 2)
        #expect(summary.ingested == 3)
        #expect(try store.storedKeys() == StoreFixture.keys(0..<4, 10..<13))
    }

    @Test func anUnterminatedLastLineWaitsForTheNextRun() throws {
        let complete = StoreFixture.lines(0..<2)
        var fragment = StoreFixture.lines(2..<3)
        fragment.removeLast()
        let file = try store.folder.write("Master.csv", complete + fragment)
        let first = try store.ingest(file)
        #expect(first.ingested == 2)
        #expect(first.rejected == 0)
        #expect(first.pendingBytes == Int64(fragment.utf8.count))
        try store.folder.append("Master.csv", "\n")
        let second = try store.ingest(file)
        #expect(second.ingested == 1)
        #expect(second.pendingBytes == 0)
        #expect(try store.storedKeys() == StoreFixture.keys(0..<3))
        #expect(try store.connection.execute("SELECT count(*) FROM cdr.reject").scalar == "0")
    }

    @Test func theSameLineInMasterAndAccountFilesIsStoredOnce() throws {
        let shared = StoreFixture.lines(0..<1)
        let master = try store.folder.write("Master.csv", StoreFixture.lines(5..<6) + shared)
        let account = try store.folder.write("acme.csv", shared)
        #expect(try store.ingest(master).ingested == 2)
        let fromAccount = try store.ingest(account)
        #expect(fromAccount.ingested == 0)
        #expect(fromAccount.duplicates == 1)
        #expect(try store.callCount() == 2)
    }

    @Test func aLineRepeatedInsideOneFileIsStoredOnce() throws {
        let line = StoreFixture.lines(0..<1)
        let summary = try store.ingest(try store.folder.write("Master.csv", line + line + line))
        #expect(summary.records == 3)
        #expect(summary.ingested == 1)
        #expect(summary.duplicates == 2)
    }

    @Test func differentRecordsSharingAUniqueIDAreBothKept() throws {
        let file = try store.folder.write(
            "Master.csv",
            AsteriskLine.make(destination: "100", uniqueID: "1760184207.1")
                + AsteriskLine.make(destination: "200", uniqueID: "1760184207.1"))
        #expect(try store.ingest(file).ingested == 2)
        #expect(try store.storedKeys() == ["1760184207.1", "1760184207.1"])
    }

    @Test func callsOutsideTheRetentionWindowAreRejectedNotStored() throws {
        let old = AsteriskLine.make(
            start: "2010-04-02 00:26:32", answer: "2010-04-02 00:26:32", end: "2010-04-02 00:26:39", duration: "7",
            billsec: "7", uniqueID: "1270167992.0")
        let future = AsteriskLine.make(
            start: "2026-11-03 12:00:00", answer: nil, end: "2026-11-03 12:00:10", duration: "10", billsec: "0",
            disposition: "BUSY", uniqueID: "1793000000.1")
        let file = try store.folder.write("Master.csv", old + StoreFixture.lines(0..<1) + future)
        let summary = try store.ingest(file)
        #expect(summary.ingested == 1)
        #expect(summary.rejected == 2)
        let reasons = try store.connection.execute("SELECT line_number, reason FROM cdr.reject ORDER BY line_number")
            .rows
        #expect(reasons.count == 2)
        #expect(reasons[0][0] == "1")
        #expect(reasons[0][1]?.contains("older than the retention ceiling (24 months") == true)
        #expect(reasons[1][0] == "3")
        #expect(reasons[1][1]?.contains("more than a day in the future") == true)
    }

    @Test func aBadRecordLandsInRejectWithItsBytesAndTheNeighboursStillLand() throws {
        let before = StoreFixture.lines(0..<1)
        let bad = AsteriskLine.make(duration: "12x", uniqueID: "bad")
        let after = StoreFixture.lines(1..<2)
        let file = try store.folder.write("Master.csv", before + bad + after)
        let summary = try store.ingest(file, feed: "pbx9")
        #expect(summary.ingested == 2)
        #expect(summary.rejected == 1)
        let reject = try store.connection.execute(
            "SELECT feed, source_name, byte_offset, line_number, raw, reason FROM cdr.reject")
        #expect(reject.rows.count == 1)
        let row = reject.rows[0]
        #expect(row[0] == "pbx9")
        #expect(row[1] == file)
        #expect(row[2] == String(before.utf8.count))
        #expect(row[3] == "2")
        #expect(row[4].flatMap(ByteaText.decode) == Array(bad.utf8.dropLast()))
        #expect(row[5] == "duration '12x' is not a whole number of seconds")
        #expect(try store.storedKeys(feed: "pbx9") == ["k0", "k1"])
    }

    @Test func invalidUTF8InAKeptFieldIsRejectedWithItsExactBytesButInTheCallerNameItCostsNothing() throws {
        let badSource = Array(AsteriskLine.make(source: "07012@@567", uniqueID: "bad-src").utf8).map {
            $0 == 0x40 ? 0xFF : $0
        }
        let badName = Array(AsteriskLine.make(uniqueID: "bad-name", callerName: "Ma@@").utf8).map {
            $0 == 0x40 ? 0xC3 : $0
        }
        let file = try store.folder.write("Master.csv", badSource + badName)
        let summary = try store.ingest(file)
        #expect(summary.ingested == 1)
        #expect(summary.rejected == 1)
        #expect(try store.storedKeys() == ["bad-name"])
        let reject = try store.connection.execute("SELECT raw, reason FROM cdr.reject").rows
        #expect(reject.count == 1)
        #expect(reject.first?[0].flatMap(ByteaText.decode) == Array(badSource.dropLast()))
        #expect(reject.first?[1] == "field 2 (src) is not valid UTF-8")
    }

    @Test func partitionsAreDailyAndNamedByDayWithNoDefault() throws {
        let file = try store.folder.write(
            "Master.csv",
            AsteriskLine.make(
                start: "2026-10-10 23:59:59", answer: nil, end: "2026-10-11 00:00:09", duration: "10",
                billsec: "0", disposition: "BUSY", uniqueID: "a")
                + AsteriskLine.make(
                    start: "2026-10-11 01:00:00", answer: nil, end: "2026-10-11 01:00:05",
                    duration: "5", billsec: "0", disposition: "BUSY", uniqueID: "b")
                + AsteriskLine.make(
                    start: "2026-10-12 12:00:00", answer: nil, end: "2026-10-12 12:00:05",
                    duration: "5", billsec: "0", disposition: "BUSY", uniqueID: "c"))
        try store.ingest(file)
        // Stockholm is UTC+2 in October: 23:59:59 and 01:00 local are both on 10 October in UTC.
        let partitions = try Partitions(connection: store.connection).list(exact: true)
        #expect(partitions.map(\.name) == ["call_p20261010", "call_p20261012"])
        #expect(partitions.map(\.rows) == [2, 1])
        let defaults = try store.connection.execute(
            "SELECT count(*) FROM pg_partitioned_table WHERE partrelid = 'cdr.call'::regclass AND partdefid <> 0")
        #expect(defaults.scalar == "0")
    }

    @Test func manySmallBatchesStoreExactlyTheFile() throws {
        let file = try store.folder.write("Master.csv", StoreFixture.lines(0..<1000))
        let summary = try store.ingest(file, batch: 97)
        #expect(summary.ingested == 1000)
        #expect(try store.storedKeys() == StoreFixture.keys(0..<1000))
        let ledger = try store.connection.execute(
            "SELECT committed_offset, committed_lines, ingested FROM cdr.ingest_ledger")
        #expect(ledger.rows == [[String(StoreFixture.lines(0..<1000).utf8.count), "1000", "1000"]])
    }

    @Test func aBatchThatCannotCommitEndsTheRunAtTheLastCommittedBatchAndTheNextRunResumesThere() throws {
        try store.refuseCalls(
            by: "refuse_k250", when: "NEW.record_key = 'k250'", message: "call k250 refused by the DBA")
        let file = try store.folder.write("Master.csv", StoreFixture.lines(0..<1000))
        let error = #expect(throws: PostgresError.self) { try store.ingest(file, batch: 100) }
        #expect(error?.message.contains("call k250 refused by the DBA") == true)
        // Batches 0 and 1 committed; batch 2 failed; the batches parsed after it, queued while it
        // was committing, were not committed past it.
        #expect(try store.storedKeys() == StoreFixture.keys(0..<200))
        let ledger = try store.connection.execute("SELECT committed_lines, ingested FROM cdr.ingest_ledger")
        #expect(ledger.rows == [["200", "200"]])
        try store.connection.execute("DROP TRIGGER refuse_k250 ON cdr.call")
        let resumed = try store.ingest(file, batch: 100)
        #expect(resumed.resumedFrom == Int64(StoreFixture.lines(0..<200).utf8.count))
        #expect(resumed.ingested == 800)
        #expect(try store.storedKeys() == StoreFixture.keys(0..<1000))
    }

    @Test func twoIngestsOfTheSameFeedAtOnceDoNotDoubleAnything() throws {
        let file = try store.folder.write("Master.csv", StoreFixture.lines(0..<3000))
        let conninfo = store.conninfo
        let results = ResultBox()
        let group = DispatchGroup()
        for _ in 0..<2 {
            DispatchQueue.global().async(group: group) {
                do {
                    let summary = try Ingestor(
                        connect: { try Connection(conninfo) }, feed: "pbx1", settings: stockholmFeed, now: testNow,
                        batchRecords: 200
                    ).ingest(path: file, clock: { 0 })
                    results.add(.success(summary.ingested))
                } catch {
                    results.add(.failure(error))
                }
            }
        }
        group.wait()
        let ingested = try results.values.map { try $0.get() }
        #expect(ingested.reduce(0, +) == 3000)
        #expect(try store.storedKeys() == StoreFixture.keys(0..<3000))
    }
}

/// Collects results from concurrent work.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Result<Int, any Error>] = []

    func add(_ result: Result<Int, any Error>) {
        lock.lock()
        stored.append(result)
        lock.unlock()
    }

    var values: [Result<Int, any Error>] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
