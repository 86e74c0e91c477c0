import CDRModel
import Feeds
import Postgres

/// Writes one feed's batch of calls and rejects inside the caller's transaction: binary COPY of
/// the rows, skipping on a retry those the feed already has, and one COPY of the refusals into
/// `cdr.reject`. When the server refuses a row that passed every check made before COPY, the
/// transaction is tried once more with the rows copied in halves under savepoints, down to the
/// rows it refuses, which become rejects with the server's reason.
struct FeedBatchWriter {
    /// What a write stored.
    struct Outcome {
        /// Rows copied.
        var ingested = 0
        /// Rows the feed already had (dropped on a retry), by their hashes.
        var storedAlready: Set<RecordHash> = []
        /// Rows the server refused, by their hashes (now among the batch's rejections).
        var refused: [RecordHash: Rejection] = [:]
    }

    /// Which try of a transaction a write is in.
    enum Attempt {
        /// As encoded.
        case first
        /// After a unique violation: without the rows the feed already has.
        case withoutStored
        /// After the server refused a row: without the rows the feed already has, copied in parts
        /// to find the refused ones.
        case findingRefusals

        /// True when the rows the feed already has are looked up and dropped first.
        var dropsStored: Bool { self != .first }
    }

    let connection: Connection
    let feed: String

    /// Runs `body` in a transaction, again after a unique violation (a record the feed already
    /// has) and again after a record the server refused; `body` is told which try it is.
    static func withRetries(on connection: Connection, _ body: (Attempt) throws -> Void) throws {
        var attempt = Attempt.first
        while true {
            do {
                try connection.transaction { try body(attempt) }
                return
            } catch let error as PostgresError where error.isUniqueViolation && attempt == .first {
                attempt = .withoutStored
            } catch let error as PostgresError where error.refusesARecord && attempt != .findingRefusals {
                attempt = .findingRefusals
            }
        }
    }

    /// How far apart in start time two records of one key may be (a merged Kamailio call and a part
    /// of it read again after a restart): one day, in µs.
    static let keyedStartMargin: Int64 = 86_400_000_000

    /// Copies the batch's rows (after a first try, or when rows are identified by key, first
    /// removing those stored already) and its rejections, each under `source` (the file path or
    /// the push request it came from). Rows the server refuses move to the batch's rejections.
    func write(_ batch: inout IngestBatch, attempt: Attempt, source: String) throws -> Outcome {
        var outcome = Outcome()
        if attempt.dropsStored || batch.identifiedByKey {
            outcome.storedAlready = try storedHashes(
                of: batch, margin: batch.identifiedByKey ? Self.keyedStartMargin : 0)
            batch.removeRows(storedAlready: outcome.storedAlready)
        }
        if attempt == .findingRefusals {
            var refusals: [(index: Int, reason: String)] = []
            outcome.ingested = try copyInParts(batch.rows, batch.rows.indices, refusals: &refusals)
            outcome.refused = batch.refuse(refusals)
        } else if !batch.rows.isEmpty {
            outcome.ingested = try connection.copyIn(CallRowEncoder.copyStatement, chunks: [batch.copyData(feed: feed)])
        }
        if !batch.rejections.isEmpty { try copy(batch.rejections, source: source) }
        return outcome
    }

    /// Copies `rows[range]` under a savepoint; a part the server refuses is rolled back and its
    /// halves tried, down to single rows, which are added to `refusals` with the server's reason.
    /// Returns the rows copied.
    private func copyInParts(
        _ rows: [IngestBatch.Row], _ range: Range<Int>, refusals: inout [(index: Int, reason: String)]
    ) throws -> Int {
        guard !range.isEmpty else { return 0 }
        try connection.execute("SAVEPOINT cdrstore_part")
        do {
            let copied = try connection.copyIn(
                CallRowEncoder.copyStatement, chunks: [CallRowEncoder.encode(rows[range], feed: feed)])
            try connection.execute("RELEASE SAVEPOINT cdrstore_part")
            return copied
        } catch let error as PostgresError where error.refusesARecord {
            try connection.execute("ROLLBACK TO SAVEPOINT cdrstore_part")
            try connection.execute("RELEASE SAVEPOINT cdrstore_part")
            guard range.count > 1 else {
                refusals.append((range.lowerBound, "PostgreSQL refused the record: \(error.message)"))
                return 0
            }
            let middle = range.lowerBound + range.count / 2
            return try copyInParts(rows, range.lowerBound..<middle, refusals: &refusals)
                + copyInParts(rows, middle..<range.upperBound, refusals: &refusals)
        }
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

extension PostgresError {
    /// True when the server refused a row for what it holds (SQLSTATE class 22, a data exception;
    /// class 23 but a unique violation, a broken constraint; 54000, such as an index row too
    /// large), so that the other rows of its batch can be stored without it.
    var refusesARecord: Bool {
        guard let sqlState else { return false }
        return sqlState.hasPrefix("22") || (sqlState.hasPrefix("23") && !isUniqueViolation) || sqlState == "54000"
    }
}
