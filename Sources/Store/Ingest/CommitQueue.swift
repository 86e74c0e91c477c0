/// The queue and batching policy of group commits, as a state machine without threads or a
/// database: each event (`submitted`, `committerFree`, `committed`, `failed`, `answered`) returns
/// what to do, and `shutdown` stops the intake. One commit is in flight at a time; while it runs, submissions queue up and the
/// next commit takes them together, up to `maxGroupRecords` records (a submission larger than
/// that goes alone). A submission that would take the queue past `maxQueuedRecords` is refused
/// (answered 503), unless the queue is empty. A group that fails and holds several feeds'
/// submissions is retried feed by feed, so that one feed's failure fails only its own
/// submissions; when nothing of a group could be committed, the committer backs off before the
/// next. After `shutdown` nothing new is taken, what is queued is still committed, and then the
/// committer finishes.
struct CommitQueue<Item: Sendable>: Sendable {
    /// A submission: what the caller queued, how many records it holds, and its feed.
    struct Entry: Sendable {
        /// The caller's submission.
        let item: Item
        /// Its records, for the limits.
        let records: Int
        /// Its feed, by which a failed group is retried.
        let feed: String
    }

    /// What the committer is to do next.
    enum Action {
        /// Commit these entries in one transaction, then report `committed` or `failed`.
        case startCommit([Entry])
        /// Commit one feed's entries of a failed group on their own, then report `committed` or `failed`.
        case retry([Entry])
        /// Answer these committed entries with their outcomes, then report `answered`.
        case ack([Entry])
        /// Answer these entries with the failure, back off a moment when `backOff` (nothing of the
        /// group was committed), then report `answered`.
        case fail([Entry], backOff: Bool)
        /// Nothing to commit: wait for the next event.
        case wait
        /// Stopped and empty: end the committer.
        case finish
    }

    /// Whether a submission was taken.
    enum Decision: Equatable {
        /// Queued: the caller is answered once it is committed or has failed.
        case queued
        /// Refused (queue full, or shutting down): answer 503, never called back.
        case refused
    }

    private enum InFlight {
        /// No commit running.
        case none
        /// A group's commit.
        case group([Entry])
        /// A failed group's retries: the part now committing, the parts still to try, and
        /// whether any part has committed.
        case retrying(current: [Entry], remaining: [[Entry]], anyCommitted: Bool)
    }

    let maxQueuedRecords: Int
    let maxGroupRecords: Int
    private var queue: [Entry] = []
    private var inFlight = InFlight.none
    private var stopping = false

    /// A queue with its limits, in records.
    init(maxQueuedRecords: Int, maxGroupRecords: Int) {
        self.maxQueuedRecords = maxQueuedRecords
        self.maxGroupRecords = maxGroupRecords
    }

    /// Records queued and not yet taken into a commit.
    private(set) var queuedRecords = 0

    /// A caller submits an entry.
    mutating func submitted(_ entry: Entry) -> Decision {
        guard !stopping, queuedRecords == 0 || queuedRecords + entry.records <= maxQueuedRecords else {
            return .refused
        }
        queue.append(entry)
        queuedRecords += entry.records
        return .queued
    }

    /// The committer has nothing in hand (it started, or was woken by a submission or the
    /// shutdown): what it should do.
    mutating func committerFree() -> Action {
        guard case .none = inFlight else { return .wait }
        guard !queue.isEmpty else { return stopping ? .finish : .wait }
        var taken = 0
        var records = 0
        while taken < queue.count, taken == 0 || records + queue[taken].records <= maxGroupRecords {
            records += queue[taken].records
            taken += 1
        }
        let group = Array(queue.prefix(taken))
        queue.removeFirst(taken)
        queuedRecords -= records
        inFlight = .group(group)
        return .startCommit(group)
    }

    /// The commit in flight (a group or a retried part) was committed.
    mutating func committed() -> Action {
        switch inFlight {
        case .none:
            preconditionFailure("committed() without a commit in flight")
        case .group(let group):
            inFlight = .none
            return .ack(group)
        case .retrying(let current, let remaining, _):
            inFlight = .retrying(current: [], remaining: remaining, anyCommitted: true)
            return .ack(current)
        }
    }

    /// The commit in flight failed (for a reason not about one record).
    mutating func failed() -> Action {
        switch inFlight {
        case .none:
            preconditionFailure("failed() without a commit in flight")
        case .group(let group):
            let parts = Self.byFeed(group)
            guard parts.count > 1 else {
                inFlight = .none
                return .fail(group, backOff: true)
            }
            inFlight = .retrying(current: parts[0], remaining: Array(parts.dropFirst()), anyCommitted: false)
            return .retry(parts[0])
        case .retrying(let current, let remaining, let anyCommitted):
            inFlight = .retrying(current: [], remaining: remaining, anyCommitted: anyCommitted)
            return .fail(current, backOff: remaining.isEmpty && !anyCommitted)
        }
    }

    /// The committer has answered what it was told to (`ack` or `fail`): what next.
    mutating func answered() -> Action {
        guard case .retrying(let current, let remaining, let anyCommitted) = inFlight, current.isEmpty else {
            return committerFree()
        }
        guard let next = remaining.first else {
            inFlight = .none
            return committerFree()
        }
        inFlight = .retrying(current: next, remaining: Array(remaining.dropFirst()), anyCommitted: anyCommitted)
        return .retry(next)
    }

    /// Shutting down: nothing new is taken; what is queued or in flight still completes, after
    /// which `committerFree` says `finish`.
    mutating func shutdown() {
        stopping = true
    }

    /// The group's entries split by feed, in the order each feed first appears.
    private static func byFeed(_ group: [Entry]) -> [[Entry]] {
        var order: [String] = []
        var parts: [String: [Entry]] = [:]
        for entry in group {
            if parts[entry.feed] == nil { order.append(entry.feed) }
            parts[entry.feed, default: []].append(entry)
        }
        return order.map { parts[$0]! }
    }
}
