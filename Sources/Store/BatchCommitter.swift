import CDRModel
import Feeds
import Postgres

/// Commits ingest batches one after another for one feed file: each batch's rows (skipping those
/// the feed already has), its rejects and the ledger position, in one transaction.
final class BatchCommitter {
    private let connection: Connection
    private let feed: String
    private let file: FeedFileReader
    private let path: String
    private let ledger: IngestLedger
    private var partitions: Partitions
    private var position: IngestLedger.Position
    /// Totals of everything committed so far.
    private(set) var totals = IngestLedger.Counts()

    init(connection: Connection, feed: String, file: FeedFileReader, path: String, from position: IngestLedger.Position)
    {
        self.connection = connection
        self.feed = feed
        self.file = file
        self.path = path
        self.position = position
        ledger = IngestLedger(connection: connection, feed: feed)
        partitions = Partitions(connection: connection)
    }

    /// Commits one batch. The COPY is tried as encoded; when the feed already has some of the rows
    /// (a unique violation) it is rolled back and redone without them, and when the server refuses
    /// a row, redone with the rows it refuses as rejects.
    func commit(_ batch: IngestBatch) throws {
        try partitions.ensure(days: batch.days)
        let writer = FeedBatchWriter(connection: connection, feed: feed)
        var counts = IngestLedger.Counts()
        counts.records = batch.rows.count + batch.duplicatesWithin + batch.rejections.count
        try FeedBatchWriter.withRetries(on: connection) { attempt in
            var written = batch
            let outcome = try writer.write(&written, attempt: attempt, source: path)
            counts.ingested = outcome.ingested
            counts.rejected = written.rejections.count
            counts.duplicates = batch.duplicatesWithin + outcome.storedAlready.count
            let next = IngestLedger.Position(id: position.id, offset: batch.endOffset, lines: batch.endLines)
            if next.offset > 0 {
                position.id = try ledger.advance(next, file: file, path: path, counts: counts)
            }
        }
        position.offset = batch.endOffset
        position.lines = batch.endLines
        totals.records += counts.records
        totals.ingested += counts.ingested
        totals.duplicates += counts.duplicates
        totals.rejected += counts.rejected
    }
}
