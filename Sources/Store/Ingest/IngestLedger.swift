import CDRModel
import Feeds
import Postgres

/// Where reading a feed file resumes, recorded in `cdr.ingest_ledger`. A file is recognised by
/// its content (its first bytes and the 4 KiB before the committed offset), not by its name.
struct IngestLedger {
    /// How much of a file's start and of the bytes before the committed offset are hashed.
    static let blockBytes = 4096

    /// A ledger row's id and the position it records.
    struct Position: Equatable {
        var id: Int64?
        var offset: Int64
        var lines: Int64

        static let start = Position(id: nil, offset: 0, lines: 0)
    }

    /// Counts a commit adds to the row's totals.
    struct Counts {
        var records = 0
        var ingested = 0
        var duplicates = 0
        var rejected = 0
    }

    let connection: Connection
    let feed: String

    /// The furthest position any ledger row of this feed records for the file's content.
    func find(in file: FeedFileReader) throws -> Position {
        let size = file.size()
        let lengths = try connection.execute(
            "SELECT DISTINCT prefix_length FROM cdr.ingest_ledger WHERE feed = $1 AND committed_offset <= $2",
            [.text(feed), .text(String(size))])
        var best = Position.start
        for lengthText in lengths.rows.compactMap({ $0[0] }) {
            guard let length = Int(lengthText) else { continue }
            let prefix = file.read(at: 0, count: length)
            guard prefix.count == length else { continue }
            let candidates = try connection.execute(
                """
                SELECT id, committed_offset, committed_lines, checkpoint_hash FROM cdr.ingest_ledger
                WHERE feed = $1 AND prefix_length = $2 AND prefix_hash = $3 AND committed_offset <= $4
                ORDER BY committed_offset DESC
                """,
                [.text(feed), .text(lengthText), .bytes(SHA256Digest.of(prefix)), .text(String(size))])
            for row in candidates.rows {
                guard let id = Int64(row[0]!), let offset = Int64(row[1]!), let lines = Int64(row[2]!),
                    offset > best.offset
                else { continue }
                if ByteaText.decode(row[3]!) == checkpointHash(of: file, at: offset) {
                    best = Position(id: id, offset: offset, lines: lines)
                    break
                }
            }
        }
        return best
    }

    /// Records that the file is consumed up to `offset`, inside the caller's transaction; returns the row id.
    func advance(_ position: Position, file: FeedFileReader, path: String, counts: Counts) throws -> Int64 {
        let prefixLength = Int(min(position.offset, Int64(Self.blockBytes)))
        let prefixHash = SHA256Digest.of(file.read(at: 0, count: prefixLength))
        let checkpoint = checkpointHash(of: file, at: position.offset)
        let values: [QueryParameter] = [
            .text(String(prefixLength)), .bytes(prefixHash), .text(String(position.offset)),
            .text(String(position.lines)), .bytes(checkpoint), .text(path), .text(String(counts.records)),
            .text(String(counts.ingested)), .text(String(counts.duplicates)), .text(String(counts.rejected)),
        ]
        if let id = position.id {
            try connection.execute(
                """
                UPDATE cdr.ingest_ledger SET prefix_length = $1, prefix_hash = $2, committed_offset = $3,
                    committed_lines = $4, checkpoint_hash = $5, last_path = $6, records = records + $7,
                    ingested = ingested + $8, duplicates = duplicates + $9, rejected = rejected + $10,
                    updated_at = now()
                WHERE id = $11
                """, values + [.text(String(id))])
            return id
        }
        let inserted = try connection.execute(
            """
            INSERT INTO cdr.ingest_ledger (feed, prefix_length, prefix_hash, committed_offset, committed_lines,
                checkpoint_hash, last_path, records, ingested, duplicates, rejected)
            VALUES ($11, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id
            """, values + [.text(feed)])
        return Int64(inserted.scalar!)!
    }

    private func checkpointHash(of file: FeedFileReader, at offset: Int64) -> [UInt8] {
        let start = max(0, offset - Int64(Self.blockBytes))
        return SHA256Digest.of(file.read(at: start, count: Int(offset - start)))
    }
}
