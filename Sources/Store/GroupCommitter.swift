import CDRModel
import Feeds
import Foundation
import Postgres

/// Commits pushed records for many concurrent requests in shared transactions (group commit): a
/// thread of its own carries out what a `CommitQueue` decides (which submissions to take
/// together, when to refuse, how to retry a failed group feed by feed), stores each group with
/// one COPY per feed, commits, and only then answers each request.
public final class GroupCommitter: @unchecked Sendable {
    /// What one group commit did, for metrics.
    public struct CommitReport: Sendable {
        /// Submissions answered by the commit.
        public var submissions: Int
        /// Records (stored, duplicate or refused) in it.
        public var records: Int
        /// Per feed: stored, duplicates, refused.
        public var perFeed: [String: PushOutcome]
        /// Seconds from the start of the transaction to its commit.
        public var seconds: Double
        /// The failure, when the group could not be committed.
        public var failure: String?
    }

    /// How a submission ends: committed, or failed with the database's error.
    public typealias Completion = @Sendable (Result<PushOutcome, any Error>) -> Void

    private struct Waiting {
        let submission: PushSubmission
        let completion: Completion
    }

    private typealias Entry = CommitQueue<Waiting>.Entry

    private let connect: () throws -> Connection
    private let now: @Sendable () -> Int64
    private let report: @Sendable (CommitReport) -> Void
    private let condition = NSCondition()
    /// What to commit next; guarded by `condition`.
    private var queue: CommitQueue<Waiting>
    private var stopped = false
    /// The committer thread's own, like `partitions` and `window`.
    private var connection: Connection?
    /// The partitions known to exist, on `connection`.
    private var partitions: Partitions?
    private var window: (loadedAt: Int64, window: IngestWindow)?

    /// Starts the committer thread. `connect` opens its database connection (again after a
    /// failure); `now` gives µs since the epoch for the ingest window; `report` sees each commit.
    public init(
        connect: @escaping () throws -> Connection, now: @escaping @Sendable () -> Int64, maxQueuedRecords: Int,
        maxGroupRecords: Int, report: @escaping @Sendable (CommitReport) -> Void = { _ in }
    ) {
        self.connect = connect
        self.now = now
        self.report = report
        queue = CommitQueue(maxQueuedRecords: maxQueuedRecords, maxGroupRecords: maxGroupRecords)
        let thread = Thread { [self] in run() }
        thread.name = "cdrstore-group-commit"
        thread.start()
    }

    /// Records waiting for a commit.
    public var queueDepth: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.queuedRecords
    }

    /// Queues a submission; false (and no call of `completion`) when the queue is full or stopping.
    public func submit(_ submission: PushSubmission, completion: @escaping Completion) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let entry = Entry(
            item: Waiting(submission: submission, completion: completion), records: submission.count,
            feed: submission.feed)
        guard queue.submitted(entry) == .queued else { return false }
        condition.broadcast()
        return true
    }

    /// Refuses new submissions, commits what is queued, and returns once the thread has ended.
    public func stop() {
        condition.lock()
        queue.shutdown()
        condition.broadcast()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    /// The committer thread: carries out what the queue says, committing and answering outside
    /// the lock, and tells it how each step ended.
    private func run() {
        var outcomes: [PushOutcome] = []
        var failure: (any Error)?
        var seconds = 0.0
        condition.lock()
        var action = queue.committerFree()
        while true {
            switch action {
            case .wait:
                condition.wait()
                action = queue.committerFree()
            case .finish:
                connection = nil
                stopped = true
                condition.broadcast()
                condition.unlock()
                return
            case .startCommit(let group), .retry(let group):
                condition.unlock()
                let started = DispatchTime.now().uptimeNanoseconds
                do {
                    outcomes = try store(group.map(\.item.submission))
                    failure = nil
                } catch {
                    connection = nil
                    partitions = nil
                    failure = error
                }
                seconds = Self.seconds(since: started)
                condition.lock()
                action = failure == nil ? queue.committed() : queue.failed()
            case .ack(let group):
                condition.unlock()
                acknowledge(group.map(\.item), outcomes, seconds: seconds)
                condition.lock()
                action = queue.answered()
            case .fail(let group, let backOff):
                condition.unlock()
                fail(group.map(\.item), failure!)
                if backOff { Thread.sleep(forTimeInterval: 0.2) }
                condition.lock()
                action = queue.answered()
            }
        }
    }

    /// Answers each committed submission with its outcome and reports the commit.
    private func acknowledge(_ group: [Waiting], _ outcomes: [PushOutcome], seconds: Double) {
        var perFeed: [String: PushOutcome] = [:]
        for (waiting, outcome) in zip(group, outcomes) {
            perFeed[waiting.submission.feed, default: PushOutcome()].add(outcome)
            waiting.completion(.success(outcome))
        }
        report(
            CommitReport(
                submissions: group.count, records: Self.records(of: group), perFeed: perFeed, seconds: seconds))
    }

    /// Answers every submission of the group with `error`.
    private func fail(_ group: [Waiting], _ error: any Error) {
        for waiting in group { waiting.completion(.failure(error)) }
        report(
            CommitReport(
                submissions: group.count, records: Self.records(of: group), perFeed: [:], seconds: 0,
                failure: "\(error)"))
    }

    private static func records(of group: [Waiting]) -> Int {
        group.reduce(0) { $0 + $1.submission.count }
    }

    /// Stores the submissions in one transaction and returns each one's outcome, in order.
    private func store(_ submissions: [PushSubmission]) throws -> [PushOutcome] {
        let connection = try currentConnection()
        let window = try currentWindow(connection)
        var outcomes = Array(repeating: PushOutcome(), count: submissions.count)
        var batches: [String: IngestBatch] = [:]
        /// Per submission, the hashes of the rows it put into its feed's batch.
        var contributed = Array(repeating: [RecordHash](), count: submissions.count)
        for (index, submission) in submissions.enumerated() {
            var batch = batches[submission.feed] ?? IngestBatch(startOffset: 0, startLines: 0)
            outcomes[index].rejections = submission.rejections
            for rejection in submission.rejections { batch.add(rejection) }
            for item in submission.items {
                let admission = item.raw.withUnsafeBytes {
                    batch.admit(
                        item.call, raw: $0, offset: 0, line: item.line, format: submission.format, window: window)
                }
                switch admission {
                case .added(let hash): contributed[index].append(hash)
                case .duplicate: outcomes[index].duplicates += 1
                case .refused(let rejection): outcomes[index].rejections.append(rejection)
                }
            }
            batches[submission.feed] = batch
        }
        var known = partitions ?? Partitions(connection: connection)
        try known.ensure(days: batches.values.flatMap(\.days))
        partitions = known
        var storedAlready: Set<RecordHash> = []
        var refused: [RecordHash: Rejection] = [:]
        let sources = Dictionary(submissions.map { ($0.feed, $0.source) }, uniquingKeysWith: { first, _ in first })
        try FeedBatchWriter.withRetries(on: connection) { attempt in
            storedAlready = []
            refused = [:]
            for (feed, batch) in batches.sorted(by: { $0.key < $1.key }) {
                var written = batch
                let outcome = try FeedBatchWriter(connection: connection, feed: feed).write(
                    &written, attempt: attempt, source: sources[feed] ?? feed)
                storedAlready.formUnion(outcome.storedAlready)
                refused.merge(outcome.refused) { first, _ in first }
            }
        }
        for index in outcomes.indices {
            let already = contributed[index].filter(storedAlready.contains).count
            let refusedHere = contributed[index].compactMap { refused[$0] }
            outcomes[index].duplicates += already
            outcomes[index].rejections += refusedHere
            outcomes[index].ingested = contributed[index].count - already - refusedHere.count
        }
        return outcomes
    }

    private static func seconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    private func currentConnection() throws -> Connection {
        if let connection { return connection }
        let opened = try connect()
        connection = opened
        partitions = Partitions(connection: opened)
        return opened
    }

    /// The ingest window, reloaded once a minute.
    private func currentWindow(_ connection: Connection) throws -> IngestWindow {
        let moment = now()
        if let window, moment - window.loadedAt < 60_000_000 { return window.window }
        let loaded = try IngestWindow.load(from: connection, now: moment)
        window = (moment, loaded)
        return loaded
    }
}

extension PushOutcome {
    /// Adds another outcome (counts and rejections) to this one.
    mutating func add(_ other: PushOutcome) {
        ingested += other.ingested
        duplicates += other.duplicates
        rejections += other.rejections
    }
}
