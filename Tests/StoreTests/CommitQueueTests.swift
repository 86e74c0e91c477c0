import Testing

@testable import Store

/// The group-commit policy without threads or a database: which submissions go together, when
/// one is refused, how a failed group is retried feed by feed, and how a shutdown ends.
@Suite struct CommitQueueTests {
    private typealias Queue = CommitQueue<String>

    /// A submission named `name` of `records` records for `feed`.
    private static func entry(_ name: String, _ records: Int = 1, feed: String = "pbx") -> Queue.Entry {
        Queue.Entry(item: name, records: records, feed: feed)
    }

    /// The action in words, the entries by name: "start a b", "retry a", "ack a b", "fail a (back off)".
    private static func describe(_ action: Queue.Action) -> String {
        func names(_ entries: [Queue.Entry]) -> String { entries.map(\.item).joined(separator: " ") }
        switch action {
        case .startCommit(let entries): return "start \(names(entries))"
        case .retry(let entries): return "retry \(names(entries))"
        case .ack(let entries): return "ack \(names(entries))"
        case .fail(let entries, let backOff): return "fail \(names(entries))" + (backOff ? " (back off)" : "")
        case .wait: return "wait"
        case .finish: return "finish"
        }
    }

    @Test func whatQueuesDuringACommitIsTakenTogetherUpToTheGroupLimit() {
        var queue = Queue(maxQueuedRecords: 100, maxGroupRecords: 5)
        #expect(Self.describe(queue.committerFree()) == "wait")
        #expect(queue.submitted(Self.entry("a")) == .queued)
        #expect(Self.describe(queue.committerFree()) == "start a")
        for (name, records) in [("b", 2), ("c", 3), ("d", 1)] {
            #expect(queue.submitted(Self.entry(name, records)) == .queued)
        }
        #expect(Self.describe(queue.committerFree()) == "wait", "one commit at a time")
        #expect(Self.describe(queue.committed()) == "ack a")
        #expect(Self.describe(queue.answered()) == "start b c", "b and c fill the group of 5; d waits")
        #expect(queue.queuedRecords == 1)
        #expect(Self.describe(queue.committed()) == "ack b c")
        #expect(Self.describe(queue.answered()) == "start d")
        #expect(Self.describe(queue.committed()) == "ack d")
        #expect(Self.describe(queue.answered()) == "wait")
    }

    @Test func aSubmissionLargerThanAGroupGoesAlone() {
        var queue = Queue(maxQueuedRecords: 100, maxGroupRecords: 5)
        #expect(queue.submitted(Self.entry("big", 8)) == .queued)
        #expect(queue.submitted(Self.entry("small")) == .queued)
        #expect(Self.describe(queue.committerFree()) == "start big")
        #expect(Self.describe(queue.committed()) == "ack big")
        #expect(Self.describe(queue.answered()) == "start small")
    }

    @Test func aFullQueueRefusesUntilACommitTakesItsRecords() {
        var queue = Queue(maxQueuedRecords: 4, maxGroupRecords: 10)
        #expect(queue.submitted(Self.entry("a", 3)) == .queued)
        #expect(queue.submitted(Self.entry("b", 2)) == .refused, "3 + 2 is past the limit of 4")
        #expect(queue.submitted(Self.entry("c", 1)) == .queued)
        #expect(queue.queuedRecords == 4)
        #expect(Self.describe(queue.committerFree()) == "start a c")
        #expect(queue.queuedRecords == 0)
        #expect(queue.submitted(Self.entry("b", 2)) == .queued, "taken once the commit holds the others")
        #expect(queue.submitted(Self.entry("huge", 50)) == .refused)
        var empty = Queue(maxQueuedRecords: 4, maxGroupRecords: 10)
        #expect(empty.submitted(Self.entry("huge", 50)) == .queued, "an empty queue takes any submission")
    }

    @Test func aFailedGroupIsRetriedFeedByFeedAndOnlyTheFailingFeedFails() {
        var queue = Queue(maxQueuedRecords: 100, maxGroupRecords: 100)
        for (name, feed) in [("a1", "a"), ("b1", "b"), ("a2", "a"), ("c1", "c")] {
            #expect(queue.submitted(Self.entry(name, feed: feed)) == .queued)
        }
        #expect(Self.describe(queue.committerFree()) == "start a1 b1 a2 c1")
        #expect(Self.describe(queue.failed()) == "retry a1 a2")
        #expect(Self.describe(queue.committed()) == "ack a1 a2")
        #expect(queue.submitted(Self.entry("late", feed: "a")) == .queued)
        #expect(Self.describe(queue.answered()) == "retry b1", "the retries finish before anything new")
        #expect(Self.describe(queue.failed()) == "fail b1", "no back-off: feed a was committed")
        #expect(Self.describe(queue.answered()) == "retry c1")
        #expect(Self.describe(queue.committed()) == "ack c1")
        #expect(Self.describe(queue.answered()) == "start late")
    }

    @Test func whenNothingOfAGroupCommitsTheCommitterBacksOff() {
        var single = Queue(maxQueuedRecords: 100, maxGroupRecords: 100)
        _ = single.submitted(Self.entry("a1", feed: "a"))
        _ = single.submitted(Self.entry("a2", feed: "a"))
        #expect(Self.describe(single.committerFree()) == "start a1 a2")
        #expect(Self.describe(single.failed()) == "fail a1 a2 (back off)", "one feed: no retry")

        var several = Queue(maxQueuedRecords: 100, maxGroupRecords: 100)
        _ = several.submitted(Self.entry("a1", feed: "a"))
        _ = several.submitted(Self.entry("b1", feed: "b"))
        #expect(Self.describe(several.committerFree()) == "start a1 b1")
        #expect(Self.describe(several.failed()) == "retry a1")
        #expect(Self.describe(several.failed()) == "fail a1")
        #expect(Self.describe(several.answered()) == "retry b1")
        #expect(Self.describe(several.failed()) == "fail b1 (back off)", "the last part, and none committed")
        #expect(Self.describe(several.answered()) == "wait")
    }

    @Test func aShutdownRefusesNewSubmissionsAndFinishesOnceTheWorkInFlightIsDone() {
        var queue = Queue(maxQueuedRecords: 100, maxGroupRecords: 2)
        for name in ["a", "b", "c"] { _ = queue.submitted(Self.entry(name)) }
        #expect(Self.describe(queue.committerFree()) == "start a b")
        queue.shutdown()
        #expect(queue.submitted(Self.entry("d")) == .refused)
        #expect(Self.describe(queue.committerFree()) == "wait", "a commit is in flight")
        #expect(Self.describe(queue.committed()) == "ack a b")
        #expect(Self.describe(queue.answered()) == "start c", "what was queued before the shutdown is committed")
        #expect(Self.describe(queue.failed()) == "fail c (back off)")
        #expect(Self.describe(queue.answered()) == "finish")
        #expect(Self.describe(queue.committerFree()) == "finish")
    }
}
