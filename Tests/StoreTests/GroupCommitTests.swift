import CDRModel
import Feeds
import Foundation
import Postgres
import Store
import Testing

/// A group commit holding several feeds' pushes, one of which the database refuses as a whole
/// (not record by record): the other feeds' pushes of the same group still land.
@Suite struct GroupCommitTests {
    /// A push of one call for `feed`, keyed `key`, started on 2026-10-20 at 12:00 UTC.
    static func submission(feed: String, key: String) -> PushSubmission {
        let start = Int64(CivilTime(year: 2026, month: 10, day: 20, hour: 12).secondsAsIfUTC) * 1_000_000
        let call = CallRecord(
            startTime: start, answerTime: start, endTime: start + 60_000_000, durationSeconds: 60,
            billableSeconds: 60, source: "+46701234567", destination: "+46812345678", callType: .voice,
            disposition: .answered, recordKey: key)
        var submission = PushSubmission(feed: feed, format: .cdrJSONL, source: "POST /v1/feeds/\(feed)/records")
        let raw = Array("\(feed) \(key)".utf8)
        raw.withUnsafeBytes { submission.add(call, raw: $0, line: 1) }
        return submission
    }

    @Test func oneFeedsFailureLeavesTheOtherFeedsPushesOfTheGroupStored() throws {
        let fixture = try StoreFixture()
        // What a DBA might do to one feed: every row of it refused by a trigger, a failure that is
        // not about one record's values (SQLSTATE P0001).
        try fixture.refuseCalls(by: "freeze_feed", when: "NEW.feed = 'frozen'", message: "feed frozen by the DBA")
        let answers = Answers()
        let committer = GroupCommitter(
            connect: { [conninfo = fixture.conninfo] in try Connection(conninfo) }, now: { testNow },
            maxQueuedRecords: 1_000,
            maxGroupRecords: 1_000)
        defer { committer.stop() }
        // Holding cdr.call in SHARE mode keeps the first commit waiting, so that the next three
        // submissions queue up and are taken as one group once the lock goes.
        let blocker = try Connection(fixture.conninfo)
        try blocker.execute("BEGIN")
        try blocker.execute("LOCK TABLE cdr.call IN SHARE MODE")
        #expect(committer.submit(Self.submission(feed: "good", key: "first"), completion: answers.completion("first")))
        try Self.waitForALockWait(on: blocker)
        #expect(committer.submit(Self.submission(feed: "good", key: "a"), completion: answers.completion("a")))
        #expect(committer.submit(Self.submission(feed: "frozen", key: "b"), completion: answers.completion("b")))
        #expect(committer.submit(Self.submission(feed: "other", key: "c"), completion: answers.completion("c")))
        try blocker.execute("COMMIT")
        let results = try answers.wait(for: 4)
        #expect(results["first"] == "ingested 1")
        #expect(results["a"] == "ingested 1")
        #expect(results["c"] == "ingested 1")
        #expect(results["b"]?.contains("feed frozen by the DBA") == true, "\(results)")
        #expect(
            try fixture.connection.execute("SELECT feed, record_key FROM cdr.call ORDER BY feed, record_key").rows == [
                ["good", "a"], ["good", "first"], ["other", "c"],
            ])
    }

    /// A Kamailio call (its INVITE and BYE as the acc module logs them) ingested from a file and
    /// then pushed: the push is a duplicate, since both identify the call by its Call-ID.
    @Test func aKamailioCallPushedAfterItsFileIsADuplicate() throws {
        let fixture = try StoreFixture()
        let settings = try FeedSettings(format: "kamailio-acc", timeZone: "UTC", countryCode: "46")
        let prefix = "Oct 11 12:03:27 sip /usr/sbin/kamailio[2926]: NOTICE: acc [acc.c:317]: acc_log_request(): "
        let lines = [("INVITE", 1_791_720_207), ("BYE", 1_791_720_330)].map { method, time in
            prefix + "ACC: transaction answered: timestamp=\(time);method=\(method);from_tag=f1;to_tag=t1;call_id=c1;"
                + "code=200;reason=OK;src_user=0701234567;src_domain=example.com;src_ip=192.0.2.7;dst_user=0812345678\n"
        }
        let file = try fixture.folder.write("acc.log", lines.joined())
        let ingested = try Ingestor(
            connect: { [conninfo = fixture.conninfo] in try Connection(conninfo) }, feed: "sip", settings: settings,
            now: testNow, batchRecords: 100
        ).ingest(path: file, clock: { 0 })
        #expect(ingested.ingested == 1)

        var submission = PushSubmission(feed: "sip", format: settings.format, source: "POST /v1/feeds/sip/records")
        var parser = settings.makeParser()
        let body = Array(lines.joined().utf8)
        _ = try body.withUnsafeBytes { bytes in
            try parser.parse(bytes, baseOffset: 0, atEnd: true) { submission.add($0) }
        }
        let answers = Answers()
        let committer = GroupCommitter(
            connect: { [conninfo = fixture.conninfo] in try Connection(conninfo) }, now: { testNow },
            maxQueuedRecords: 1_000,
            maxGroupRecords: 1_000)
        defer { committer.stop() }
        #expect(committer.submit(submission, completion: answers.completion("push")))
        #expect(try answers.wait(for: 1)["push"] == "ingested 0, duplicates 1")
        #expect(try fixture.connection.execute("SELECT count(*) FROM cdr.call WHERE feed = 'sip'").scalar == "1")
    }

    /// Waits until some session waits for a lock that `blocker` holds.
    static func waitForALockWait(on blocker: Connection) throws {
        for _ in 0..<200 {
            let waiting = try blocker.execute("SELECT count(*) FROM pg_locks WHERE NOT granted").scalar
            if waiting != "0" { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        Issue.record("the first commit never waited for the lock")
    }
}

/// The answers the committer gave, by submission.
private final class Answers: @unchecked Sendable {
    private let condition = NSCondition()
    private var results: [String: String] = [:]

    func completion(_ name: String) -> GroupCommitter.Completion {
        { result in
            self.condition.lock()
            switch result {
            case .success(let outcome):
                self.results[name] =
                    "ingested \(outcome.ingested)"
                    + (outcome.duplicates > 0 ? ", duplicates \(outcome.duplicates)" : "")
            case .failure(let error): self.results[name] = "failed: \(error)"
            }
            self.condition.broadcast()
            self.condition.unlock()
        }
    }

    /// The answers once `count` have come, failing after 30 s.
    func wait(for count: Int) throws -> [String: String] {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(30)
        while results.count < count {
            if !condition.wait(until: deadline) { break }
        }
        #expect(results.count == count, "only \(results) answered")
        return results
    }
}
