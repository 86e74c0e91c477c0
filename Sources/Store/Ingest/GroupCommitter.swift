import Postgres

/// The push adapter over the commit core: concurrent requests' records are committed together in
/// shared transactions (group commit, one COPY per feed), and each request is answered after
/// that commit.
public struct GroupCommitter: Sendable {
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

    /// How long the committer waits after a group of which nothing could be committed.
    static let backOffSeconds = 0.2

    private let core: CommitCore<PushStore>

    /// Starts the committer. `connect` opens its database connection (again after a failure);
    /// `now` gives µs since the epoch for the ingest window; `report` sees each commit.
    public init(
        connect: @escaping @Sendable () throws -> Connection, now: @escaping @Sendable () -> Int64,
        maxQueuedRecords: Int, maxGroupRecords: Int, report: @escaping @Sendable (CommitReport) -> Void = { _ in }
    ) {
        core = CommitCore(
            name: "cdrstore-group-commit", maxQueuedRecords: maxQueuedRecords, maxGroupRecords: maxGroupRecords,
            backOffSeconds: Self.backOffSeconds, makeStore: { PushStore(connect: connect, now: now) },
            report: { report(Self.commitReport($0)) })
    }

    /// Records waiting for a commit.
    public var queueDepth: Int { core.queuedRecords }

    /// Queues a submission; false (and no call of `completion`) when the queue is full or stopping.
    public func submit(_ submission: PushSubmission, completion: @escaping Completion) -> Bool {
        core.submit(submission, records: submission.count, feed: submission.feed, completion: completion)
    }

    /// Refuses new submissions, commits what is queued, and returns once the committer has ended.
    public func stop() { core.stop() }

    private static func commitReport(_ report: CommitCore<PushStore>.Report) -> CommitReport {
        var perFeed: [String: PushOutcome] = [:]
        for (submission, outcome) in zip(report.submissions, report.outcomes) {
            perFeed[submission.feed, default: PushOutcome()].add(outcome)
        }
        return CommitReport(
            submissions: report.submissions.count, records: report.records, perFeed: perFeed, seconds: report.seconds,
            failure: report.failure.map { "\($0)" })
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
