import CDRModel
import Feeds
import Postgres

/// How the commit core stores one feed file's batches, on a connection of its own: each group's
/// rows (skipping those the feed already has), their rejects and the file's new ledger position,
/// in one transaction. The COPY is tried as encoded; when the feed already has some of the rows (a
/// unique violation) it is rolled back and redone without them, and when the server refuses a
/// row, redone with the rows it refuses as rejects. After a failed commit it commits nothing more:
/// a later batch's ledger position would pass over the failed batch's records.
struct FileBatchStore: CommitStore {
    private let connect: @Sendable () throws -> Connection
    private let feed: String
    private let file: FeedFileReader
    private let path: String
    private var connection: Connection?
    private var partitions: Partitions?
    private var position: IngestLedger.Position
    private var failure: (any Error)?

    /// A store for `feed`'s file at `path`, whose ledger position is `position`; it opens its
    /// connection with `connect` at its first commit.
    init(
        connect: @escaping @Sendable () throws -> Connection, feed: String, file: FeedFileReader, path: String,
        from position: IngestLedger.Position
    ) {
        self.connect = connect
        self.feed = feed
        self.file = file
        self.path = path
        self.position = position
    }

    /// Commits the batches, in file order, in one transaction; returns each one's counts.
    mutating func commit(_ batches: [IngestBatch]) throws -> [IngestLedger.Counts] {
        if let failure { throw failure }
        do {
            return try store(batches)
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func store(_ batches: [IngestBatch]) throws -> [IngestLedger.Counts] {
        let connection = try self.connection ?? connect()
        self.connection = connection
        var known = partitions ?? Partitions(connection: connection)
        try known.ensure(days: batches.flatMap(\.days))
        partitions = known
        let writer = FeedBatchWriter(connection: connection, feed: feed)
        let ledger = IngestLedger(connection: connection, feed: feed)
        var counts: [IngestLedger.Counts] = []
        var reached = position
        try FeedBatchWriter.withRetries(on: connection) { attempt in
            counts = []
            reached = position
            for batch in batches {
                var written = batch
                let outcome = try writer.write(&written, attempt: attempt, source: path)
                var batchCounts = IngestLedger.Counts()
                batchCounts.records = batch.rows.count + batch.duplicatesWithin + batch.rejections.count
                batchCounts.ingested = outcome.ingested
                batchCounts.rejected = written.rejections.count
                batchCounts.duplicates = batch.duplicatesWithin + outcome.storedAlready.count
                reached.offset = batch.endOffset
                reached.lines = batch.endLines
                if reached.offset > 0 {
                    reached.id = try ledger.advance(reached, file: file, path: path, counts: batchCounts)
                }
                counts.append(batchCounts)
            }
        }
        position = reached
        return counts
    }
}
