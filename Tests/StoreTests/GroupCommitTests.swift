import CDRModel
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
        try fixture.connection.executeScript(
            """
            CREATE FUNCTION public.freeze_feed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.feed = 'frozen' THEN RAISE EXCEPTION 'feed frozen by the DBA'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER freeze_feed BEFORE INSERT ON cdr.call FOR EACH ROW EXECUTE FUNCTION public.freeze_feed();
            """)
        let answers = Answers()
        let committer = GroupCommitter(
            connect: { try Connection(fixture.conninfo) }, now: { testNow }, maxQueuedRecords: 1_000,
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
            case .success(let outcome): self.results[name] = "ingested \(outcome.ingested)"
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
