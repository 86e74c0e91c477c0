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
    /// (a unique violation) it is rolled back and redone without them.
    func commit(_ batch: IngestBatch) throws {
        var batch = batch
        try partitions.ensure(days: batch.days)
        var counts = IngestLedger.Counts()
        counts.rejected = batch.rejections.count
        counts.records = batch.rows.count + batch.duplicatesWithin + batch.rejections.count
        var attempt = 0
        while true {
            attempt += 1
            do {
                try connection.transaction {
                    counts.duplicates = batch.duplicatesWithin
                    if attempt > 1 {
                        counts.duplicates += batch.removeRows(storedAlready: try storedHashes(of: batch))
                    }
                    counts.ingested =
                        batch.rows.isEmpty
                        ? 0
                        : try connection.copyIn(
                            CallRowEncoder.copyStatement, chunks: [batch.copyData(feed: feed)])
                    for rejection in batch.rejections { try insert(rejection) }
                    let next = IngestLedger.Position(id: position.id, offset: batch.endOffset, lines: batch.endLines)
                    if next.offset > 0 {
                        position.id = try ledger.advance(next, file: file, path: path, counts: counts)
                    }
                }
                break
            } catch let error as PostgresError where error.isUniqueViolation && attempt == 1 {
                continue
            }
        }
        position.offset = batch.endOffset
        position.lines = batch.endLines
        totals.records += counts.records
        totals.ingested += counts.ingested
        totals.duplicates += counts.duplicates
        totals.rejected += counts.rejected
    }

    /// The hashes of the batch's rows that this feed already has.
    private func storedHashes(of batch: IngestBatch) throws -> Set<RecordHash> {
        guard let range = batch.startRange else { return [] }
        let hashes = batch.rows.map { SHA256Digest.hex($0.hash.bytes) }.joined(separator: ",")
        let result = try connection.execute(
            """
            SELECT encode(record_hash, 'hex') FROM cdr.call
            WHERE feed = $1 AND start_time BETWEEN to_timestamp($2::float8 / 1e6) AND to_timestamp($3::float8 / 1e6)
              AND record_hash = ANY (SELECT decode(h, 'hex') FROM unnest(string_to_array($4, ',')) AS h)
            """,
            [.text(feed), .text(String(range.lowerBound)), .text(String(range.upperBound)), .text(hashes)])
        return Set(
            result.rows.compactMap { $0[0].flatMap { ByteaText.decode("\\x" + $0) } }.map(RecordHash.init(bytes:)))
    }

    private func insert(_ rejection: Rejection) throws {
        try connection.execute(
            """
            INSERT INTO cdr.reject (feed, source_name, byte_offset, line_number, raw, reason)
            VALUES ($1, $2, $3, $4, $5, $6)
            """,
            [
                .text(feed), .text(path), .text(String(rejection.offset)), .text(String(rejection.line)),
                .bytes(rejection.raw), .text(rejection.reason),
            ])
    }
}
