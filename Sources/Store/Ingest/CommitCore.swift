import Foundation
import Synchronization

/// What a `CommitCore` commits with: made on the core's thread and used by that thread alone,
/// with the database connection it owns.
protocol CommitStore: SendableMetatype {
    /// What a caller submits (a push request's records, a file's batch).
    associatedtype Submission: Sendable
    /// What the commit of one submission did.
    associatedtype Outcome: Sendable

    /// Commits the submissions in one transaction and returns each one's outcome, in order; when
    /// it throws, none of them is committed.
    mutating func commit(_ submissions: [Submission]) throws -> [Outcome]
}

/// The one path from records to committed batches, for pushes, spool files and `ingest` alike: a
/// thread of its own carries out what a `CommitQueue` decides (which submissions go together,
/// when one is refused, how a failed group is retried), commits with a store that only this
/// thread touches, and answers each submission once its commit has ended.
final class CommitCore<Store: CommitStore>: Sendable {
    /// How a submission ends: committed with its outcome, or failed with the error.
    typealias Completion = @Sendable (Result<Store.Outcome, any Error>) -> Void

    /// What one commit (a group, or a failed group's part) did.
    struct Report: Sendable {
        /// The submissions it answered.
        let submissions: [Store.Submission]
        /// Their outcomes, in order; empty when the commit failed.
        let outcomes: [Store.Outcome]
        /// Records in it, as submitted.
        let records: Int
        /// Seconds the commit took.
        let seconds: Double
        /// The failure, when it could not commit.
        let failure: (any Error)?
    }

    private struct Waiting: Sendable {
        let submission: Store.Submission
        let completion: Completion
    }

    private let queue: Mutex<CommitQueue<Waiting>>
    /// Signalled on each submission and on shutdown; the thread waits on it when idle.
    private let wake = DispatchSemaphore(value: 0)
    /// Signalled when the thread has ended.
    private let ended = DispatchSemaphore(value: 0)
    private let backOffSeconds: Double
    private let report: @Sendable (Report) -> Void

    /// Starts the core's thread, named `name`, which makes its store with `makeStore`. The queue
    /// holds up to `maxQueuedRecords` records; a commit takes up to `maxGroupRecords`. After a
    /// commit that stored nothing of its group, the thread waits `backOffSeconds`. `report` sees
    /// every commit, on the core's thread.
    init(
        name: String, maxQueuedRecords: Int, maxGroupRecords: Int, backOffSeconds: Double,
        makeStore: @escaping @Sendable () -> Store, report: @escaping @Sendable (Report) -> Void = { _ in }
    ) {
        queue = Mutex(CommitQueue(maxQueuedRecords: maxQueuedRecords, maxGroupRecords: maxGroupRecords))
        self.backOffSeconds = backOffSeconds
        self.report = report
        let thread = Thread { [self] in
            var store = makeStore()
            run(&store)
        }
        thread.name = name
        thread.start()
    }

    /// Records queued and not yet taken into a commit.
    var queuedRecords: Int { queue.withLock { $0.queuedRecords } }

    /// Queues a submission of `records` records for `feed`; false, without a call of `completion`,
    /// when the queue is full or shutting down.
    func submit(_ submission: Store.Submission, records: Int, feed: String, completion: @escaping Completion) -> Bool {
        let entry = CommitQueue<Waiting>.Entry(
            item: Waiting(submission: submission, completion: completion), records: records, feed: feed)
        guard queue.withLock({ $0.submitted(entry) }) == .queued else { return false }
        wake.signal()
        return true
    }

    /// Refuses new submissions, commits and answers what is queued, and returns once the thread
    /// has ended (at once when it has ended already).
    func stop() {
        queue.withLock { $0.shutdown() }
        wake.signal()
        ended.wait()
        ended.signal()
    }

    /// The core's thread: carries out each action outside the lock and tells the queue how it ended.
    private func run(_ store: inout Store) {
        var outcomes: [Store.Outcome] = []
        var failure: (any Error)?
        var seconds = 0.0
        var action = queue.withLock { $0.committerFree() }
        while true {
            switch action {
            case .wait:
                wake.wait()
                action = queue.withLock { $0.committerFree() }
            case .finish:
                ended.signal()
                return
            case .startCommit(let group), .retry(let group):
                let started = DispatchTime.now().uptimeNanoseconds
                do {
                    outcomes = try store.commit(group.map(\.item.submission))
                    failure = nil
                } catch {
                    outcomes = []
                    failure = error
                }
                seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                action = queue.withLock { failure == nil ? $0.committed() : $0.failed() }
            case .ack(let group):
                for (entry, outcome) in zip(group, outcomes) { entry.item.completion(.success(outcome)) }
                report(Self.report(group, outcomes: outcomes, seconds: seconds, failure: nil))
                action = queue.withLock { $0.answered() }
            case .fail(let group, let backOff):
                for entry in group { entry.item.completion(.failure(failure!)) }
                report(Self.report(group, outcomes: [], seconds: seconds, failure: failure))
                if backOff && backOffSeconds > 0 { Thread.sleep(forTimeInterval: backOffSeconds) }
                action = queue.withLock { $0.answered() }
            }
        }
    }

    private static func report(
        _ group: [CommitQueue<Waiting>.Entry], outcomes: [Store.Outcome], seconds: Double, failure: (any Error)?
    ) -> Report {
        Report(
            submissions: group.map(\.item.submission), outcomes: outcomes,
            records: group.reduce(0) { $0 + $1.records }, seconds: seconds, failure: failure)
    }
}
