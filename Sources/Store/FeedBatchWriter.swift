import CDRModel
import Feeds
import Postgres

/// Writes one feed's batch of calls and rejects inside the caller's transaction: binary COPY of
/// the rows, skipping on a retry those the feed already has, and one `cdr.reject` row per refusal.
struct FeedBatchWriter {
    /// What a write stored.
    struct Outcome {
        /// Rows copied.
        var ingested = 0
        /// Rows the feed already had (dropped on a retry), by their hashes.
        var storedAlready: Set<RecordHash> = []
    }

    let connection: Connection
    let feed: String

    /// Runs `body` in a transaction, once more when the first attempt hits a unique violation (a
    /// record the feed already has); `body` is told whether it is that retry.
    static func withDuplicateRetry(on connection: Connection, _ body: (_ retry: Bool) throws -> Void) throws {
        do {
            try connection.transaction { try body(false) }
        } catch let error as PostgresError where error.isUniqueViolation {
            try connection.transaction { try body(true) }
        }
    }

    /// How far apart in start time two records of one key may be (a merged Kamailio call and a part
    /// of it read again after a restart): one day, in µs.
    static let keyedStartMargin: Int64 = 86_400_000_000

    /// Copies the batch's rows (on a retry, or when rows are identified by key, first removing those
    /// stored already) and inserts its rejections, each under `source` (the file path or the push
    /// request it came from).
    func write(_ batch: inout IngestBatch, retry: Bool, source: String) throws -> Outcome {
        var outcome = Outcome()
        if retry || batch.identifiedByKey {
            outcome.storedAlready = try storedHashes(
                of: batch, margin: batch.identifiedByKey ? Self.keyedStartMargin : 0)
            batch.removeRows(storedAlready: outcome.storedAlready)
        }
        if !batch.rows.isEmpty {
            outcome.ingested = try connection.copyIn(CallRowEncoder.copyStatement, chunks: [batch.copyData(feed: feed)])
        }
        if !batch.rejections.isEmpty { try copy(batch.rejections, source: source) }
        return outcome
    }

    /// The hashes of the batch's rows that this feed already has with a start within `margin` µs of
    /// the batch's starts.
    private func storedHashes(of batch: IngestBatch, margin: Int64) throws -> Set<RecordHash> {
        guard let found = batch.startRange else { return [] }
        let range = (found.lowerBound - margin)...(found.upperBound + margin)
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

    /// Writes the refusals into `cdr.reject` with one COPY, as the calls are written.
    private func copy(_ rejections: [Rejection], source: String) throws {
        let sourceName = StorableCall.printable(source)
        var text = ""
        for rejection in rejections {
            text += CopyText.line([
                feed, sourceName, String(rejection.offset), String(rejection.line),
                "\\x" + SHA256Digest.hex(rejection.raw), StorableCall.printable(rejection.reason),
            ])
        }
        _ = try connection.copyIn(
            "COPY cdr.reject (feed, source_name, byte_offset, line_number, raw, reason) FROM STDIN",
            chunks: [Array(text.utf8)])
    }
}
