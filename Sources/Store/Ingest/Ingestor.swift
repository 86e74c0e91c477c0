import CDRModel
import Feeds
import Foundation
import Postgres

/// The file adapter of ingest: reads one feed file into the store exactly once. This thread
/// parses, admits and batches; the commit core's thread copies each batch with its rejects and the
/// ledger position in one transaction, on a connection of its own.
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

    private let connect: @Sendable () throws -> Connection
    /// For the schema, window, ledger lookup and the feed's lock; commits use another.
    private let connection: Connection
    private let feed: String
    private let settings: FeedSettings
    private let window: IngestWindow
    private let batchRecords: Int
    /// When this ingest runs (µs since the epoch): the window's reference, and the moment the
    /// parser reads the end of the file at.
    private let now: Int64

    /// Prepares to ingest for `feed`, on connections that `connect` opens (one now, one for
    /// each file's commits); `now` is microseconds since the epoch.
    public init(
        connect: @escaping @Sendable () throws -> Connection, feed: String, settings: FeedSettings, now: Int64,
        batchRecords: Int = 50_000
    ) throws {
        try Self.checkFeedName(feed)
        let connection = try connect()
        try Migrator(connection: connection).requireCurrentSchema()
        self.connect = connect
        self.connection = connection
        self.feed = feed
        self.settings = settings
        self.batchRecords = batchRecords
        self.now = now
        window = try IngestWindow.load(from: connection, now: now)
    }

    /// Throws unless `feed` is 1 to 64 ASCII letters, digits, `-`, `_` or `.`.
    public static func checkFeedName(_ feed: String) throws {
        let allowed = feed.utf8.allSatisfy { byte in
            (byte | 0x20) &- UInt8(ascii: "a") < 26 || byte &- UInt8(ascii: "0") < 10 || "-_.".utf8.contains(byte)
        }
        guard !feed.isEmpty, feed.utf8.count <= 64, allowed else {
            throw StoreError("feed name '\(feed)' must be 1 to 64 letters, digits, '-', '_' or '.'")
        }
    }

    /// Ingests what is new in the file at `path`; `clock` measures the run's duration in seconds.
    /// When `shouldStop` turns true, the run stops after the batch being read and throws
    /// `StoreError` once what was committed is committed (the ledger resumes from there). With
    /// `endsFile`, the file is complete: its unterminated last line is its last record.
    public func ingest(
        path: String, endsFile: Bool = false, clock: () -> Double, progress: (Progress) -> Void = { _ in },
        shouldStop: () -> Bool = { false }
    ) throws -> Summary {
        let started = clock()
        let file = try FeedFileReader(path: path)
        defer { file.close() }
        try connection.execute("SELECT pg_advisory_lock(hashtext('cdrstore'), hashtext($1))", [.text("ingest:" + feed)])
        defer {
            _ = try? connection.execute(
                "SELECT pg_advisory_unlock(hashtext('cdrstore'), hashtext($1))", [.text("ingest:" + feed)])
        }

        let position = try IngestLedger(connection: connection, feed: feed).find(in: file)
        var summary = Summary(path: path, resumedFrom: position.offset)
        var parser = settings.makeParser(now: now)
        parser.linesConsumed = position.lines
        var batch = IngestBatch(startOffset: position.offset, startLines: position.lines)
        let size = file.size()
        let absolutePath = URL(fileURLWithPath: path).standardizedFileURL.path
        let commits = FileCommitter(feed: feed, batchRecords: batchRecords) { [connect, feed] in
            FileBatchStore(connect: connect, feed: feed, file: file, path: absolutePath, from: position)
        }

        do {
            let outcome = try file.parse(from: position.offset, with: &parser, endsFile: endsFile) { event in
                summary.records += 1
                switch event {
                case .record(let call, let raw, let place):
                    _ = batch.admit(
                        call, raw: raw, offset: place.offset, line: place.line, format: settings.format, window: window)
                    batch.advance(to: place)
                case .rejection(let rejection, let place):
                    batch.add(rejection)
                    batch.advance(to: place)
                }
                if batch.count >= batchRecords {
                    if shouldStop() { throw StoreError("stopped while ingesting \(path); the next run resumes it") }
                    batch.seal(feed: feed)
                    try commits.submit(batch)
                    batch = IngestBatch(startOffset: batch.endOffset, startLines: batch.endLines)
                    progress(Progress(offset: batch.endOffset, size: size, records: summary.records))
                }
            }
            batch.endOffset = outcome.consumedOffset
            batch.endLines = outcome.linesConsumed
            if batch.count > 0 || batch.endOffset > position.offset {
                batch.seal(feed: feed)
                try commits.submit(batch)
            }
            summary.pendingBytes = outcome.pendingBytes
            summary.bytesRead = outcome.consumedOffset - summary.resumedFrom
        } catch {
            _ = try? commits.finish()
            throw error
        }
        let totals = try commits.finish()
        summary.ingested = totals.ingested
        summary.duplicates = totals.duplicates
        summary.rejected = totals.rejected
        summary.seconds = clock() - started
        return summary
    }
}
