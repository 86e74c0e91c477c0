import CDRModel
import Feeds
import Postgres

/// How the commit core stores pushed records: each group with one COPY per feed, in one
/// transaction, on a connection of its own that it opens again after a failure; the ingest window
/// is reloaded once a minute.
struct PushStore: CommitStore {
    private let connect: @Sendable () throws -> Connection
    private let now: @Sendable () -> Int64
    private var connection: Connection?
    /// The partitions known to exist, on `connection`.
    private var partitions: Partitions?
    private var window: (loadedAt: Int64, window: IngestWindow)?

    /// A store that opens its connection with `connect`; `now` gives µs since the epoch.
    init(connect: @escaping @Sendable () throws -> Connection, now: @escaping @Sendable () -> Int64) {
        self.connect = connect
        self.now = now
    }

    /// Stores the submissions in one transaction and returns each one's outcome, in order; after
    /// a failure the connection is opened anew.
    mutating func commit(_ submissions: [PushSubmission]) throws -> [PushOutcome] {
        do {
            return try store(submissions)
        } catch {
            connection = nil
            partitions = nil
            throw error
        }
    }

    private mutating func store(_ submissions: [PushSubmission]) throws -> [PushOutcome] {
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

    private mutating func currentConnection() throws -> Connection {
        if let connection { return connection }
        let opened = try connect()
        connection = opened
        partitions = Partitions(connection: opened)
        return opened
    }

    /// The ingest window, reloaded once a minute.
    private mutating func currentWindow(_ connection: Connection) throws -> IngestWindow {
        let moment = now()
        if let window, moment - window.loadedAt < 60_000_000 { return window.window }
        let loaded = try IngestWindow.load(from: connection, now: moment)
        window = (moment, loaded)
        return loaded
    }
}
