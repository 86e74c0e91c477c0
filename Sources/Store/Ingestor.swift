import CDRModel
import Feeds
import Postgres

/// Reads one feed file into the store exactly once: parse, check, batch, binary COPY, and in
/// the same transaction the rejects and the ledger position.
public final class Ingestor {
    /// What one run did.
    public struct Summary: Sendable, Equatable {
        /// The file read.
        public var path: String
        /// The byte offset reading started from (0, or where the ledger said the file was done).
        public var resumedFrom: Int64 = 0
        /// Records seen in this run (stored, duplicate or rejected).
        public var records = 0
        /// Records stored.
        public var ingested = 0
        /// Records already stored for this feed (or twice in the file), not stored again.
        public var duplicates = 0
        /// Records refused; they are in `cdr.reject`.
        public var rejected = 0
        /// Bytes of an unterminated last line, left for the next run.
        public var pendingBytes: Int64 = 0
        /// Bytes read in this run.
        public var bytesRead: Int64 = 0
        /// Wall-clock seconds the run took.
        public var seconds: Double = 0
    }

    /// Progress after each committed batch.
    public struct Progress: Sendable {
        /// Bytes of the file consumed so far.
        public var offset: Int64
        /// The file's size.
        public var size: Int64
        /// Records seen so far in this run.
        public var records: Int
    }

    private let connection: Connection
    private let feed: String
    private let settings: FeedSettings
    private let window: IngestWindow
    private let batchRecords: Int
    private var partitions: Partitions

    /// Prepares to ingest for `feed`; `now` is microseconds since the epoch.
    public init(connection: Connection, feed: String, settings: FeedSettings, now: Int64, batchRecords: Int = 50_000)
        throws
    {
        guard !feed.isEmpty, feed.utf8.count <= 64,
            feed.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) })
        else {
            throw StoreError("feed name '\(feed)' must be 1 to 64 letters, digits, '-', '_' or '.'")
        }
        try Migrator(connection: connection).requireCurrentSchema()
        self.connection = connection
        self.feed = feed
        self.settings = settings
        self.batchRecords = batchRecords
        window = IngestWindow(now: now, ceilingMonths: try StoreSettings.load(from: connection).retentionCeilingMonths)
        partitions = Partitions(connection: connection)
    }

    /// Ingests what is new in the file at `path`; `clock` measures the run's duration in seconds.
    public func ingest(path: String, clock: () -> Double, progress: (Progress) -> Void = { _ in }) throws -> Summary {
        let started = clock()
        let file = try FeedFileReader(path: path)
        defer { file.close() }
        try connection.execute("SELECT pg_advisory_lock(hashtext('cdrstore'), hashtext($1))", [.text("ingest:" + feed)])
        defer {
            _ = try? connection.execute(
                "SELECT pg_advisory_unlock(hashtext('cdrstore'), hashtext($1))", [.text("ingest:" + feed)])
        }

        let ledger = IngestLedger(connection: connection, feed: feed)
        var position = try ledger.find(in: file)
        var summary = Summary(path: path, resumedFrom: position.offset)
        var parser = settings.makeParser()
        parser.linesConsumed = position.lines
        var batch = IngestBatch(startOffset: position.offset, startLines: position.lines)
        let size = file.size()

        func flush() throws {
            let counts = try commit(&batch, position: &position, ledger: ledger, file: file, path: path)
            summary.ingested += counts.ingested
            summary.duplicates += counts.duplicates
            summary.rejected += counts.rejected
            batch = IngestBatch(startOffset: position.offset, startLines: position.lines)
            progress(Progress(offset: position.offset, size: size, records: summary.records))
        }

        let outcome = try file.parse(from: position.offset, with: &parser) { event in
            summary.records += 1
            switch event {
            case .record(let call, let raw, let place):
                if let reason = window.refusal(start: call.startTime) {
                    batch.add(Rejection(offset: place.offset, line: place.line, raw: Array(raw), reason: reason))
                } else {
                    batch.add(call, hash: RecordHash(raw: raw))
                }
                batch.endOffset = place.endOffset
                batch.endLines = place.endLines
            case .rejection(let rejection, let place):
                batch.add(rejection)
                batch.endOffset = place.endOffset
                batch.endLines = place.endLines
            }
            if batch.count >= batchRecords { try flush() }
        }
        batch.endOffset = outcome.consumedOffset
        batch.endLines = outcome.linesConsumed
        if batch.count > 0 || batch.endOffset > position.offset { try flush() }
        summary.pendingBytes = outcome.pendingBytes
        summary.bytesRead = outcome.consumedOffset - summary.resumedFrom
        summary.seconds = clock() - started
        return summary
    }

    /// Commits one batch: rows (skipping those already stored), rejects and the ledger, in one transaction.
    private func commit(
        _ batch: inout IngestBatch, position: inout IngestLedger.Position, ledger: IngestLedger,
        file: FeedFileReader, path: String
    ) throws -> IngestLedger.Counts {
        try partitions.ensure(days: batch.days)
        var counts = IngestLedger.Counts()
        counts.rejected = batch.rejections.count
        counts.records = batch.rows.count + batch.duplicatesWithin + batch.rejections.count
        var attempt = 0
        while true {
            attempt += 1
            do {
                try connection.transaction {
                    var duplicates = batch.duplicatesWithin
                    if attempt > 1 { duplicates += batch.removeRows(storedAlready: try storedHashes(of: batch)) }
                    counts.ingested =
                        batch.rows.isEmpty
                        ? 0
                        : try connection.copyIn(
                            CallRowEncoder.copyStatement, chunks: [CallRowEncoder.encode(batch.rows, feed: feed)])
                    counts.duplicates = duplicates
                    for rejection in batch.rejections { try insert(rejection, path: path) }
                    let next = IngestLedger.Position(id: position.id, offset: batch.endOffset, lines: batch.endLines)
                    if next.offset > 0 {
                        position.id = try ledger.advance(next, file: file, path: path, counts: counts)
                    }
                    position.offset = next.offset
                    position.lines = next.lines
                }
                return counts
            } catch let error as PostgresError where error.isUniqueViolation && attempt == 1 {
                continue
            }
        }
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
            result.rows.compactMap { $0[0].flatMap { ByteaText.decode("\\x" + $0) } }.map { RecordHash(bytes: $0) })
    }

    private func insert(_ rejection: Rejection, path: String) throws {
        try connection.execute(
            "INSERT INTO cdr.reject (feed, source_name, byte_offset, line_number, raw, reason) VALUES ($1, $2, $3, $4, $5, $6)",
            [
                .text(feed), .text(path), .text(String(rejection.offset)), .text(String(rejection.line)),
                .bytes(rejection.raw), .text(rejection.reason),
            ])
    }
}
