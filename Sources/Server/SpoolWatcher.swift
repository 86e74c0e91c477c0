import Foundation
import Logging
import Postgres
import Store
import Synchronization

/// Watches one feed's spool folder on a thread of its own: every file that appears or grows is
/// ingested with the same exactly-once ledger as `cdrstore ingest` (so a rotated file, renamed
/// `Master.csv.1`, is recognised by its content and neither lost nor doubled), oldest first; a
/// file read to its end and unchanged for `settleSeconds` is moved to the `processed` folder,
/// after its unterminated last line, if it has one, is read as its last record.
final class SpoolWatcher: Sendable {
    private let feed: ServeConfiguration.Feed
    private let spool: ServeConfiguration.Spool
    private let connect: @Sendable () throws -> Connection
    private let now: @Sendable () -> Int64
    private let pollSeconds: Double
    private let logger: Logger
    private let onSummary: @Sendable (Ingestor.Summary) -> Void
    private let health: FeedHealth
    private let stopping = Mutex(false)
    /// Signalled by `stop`, to end the wait between passes at once.
    private let wake = DispatchSemaphore(value: 0)
    /// Signalled when the thread has ended.
    private let ended = DispatchSemaphore(value: 0)

    init(
        feed: ServeConfiguration.Feed, spool: ServeConfiguration.Spool,
        connect: @escaping @Sendable () throws -> Connection, now: @escaping @Sendable () -> Int64,
        pollSeconds: Double, logger: Logger, health: FeedHealth,
        onSummary: @escaping @Sendable (Ingestor.Summary) -> Void
    ) {
        self.health = health
        self.feed = feed
        self.spool = spool
        self.connect = connect
        self.now = now
        self.pollSeconds = pollSeconds
        self.logger = logger
        self.onSummary = onSummary
    }

    /// Starts watching.
    func start() {
        let thread = Thread { [self] in
            var folder = SpoolFolder()
            run(&folder)
        }
        thread.name = "cdrstore-spool-\(feed.name)"
        thread.start()
    }

    /// Stops after the batch being read (what is committed stays committed) and waits for the thread.
    func stop() {
        stopping.withLock { $0 = true }
        wake.signal()
        ended.wait()
        ended.signal()
    }

    private var isStopping: Bool { stopping.withLock { $0 } }

    private func run(_ folder: inout SpoolFolder) {
        while !isStopping {
            do {
                try pass(&folder)
                health.recovered("\(feed.name) spool")
            } catch {
                if !isStopping {
                    logger.error("spool pass failed", metadata: ["feed": "\(feed.name)", "error": "\(error)"])
                    health.failed("\(feed.name) spool", "\(spool.path): \(error)")
                }
            }
            if !isStopping { _ = wake.wait(timeout: .now() + pollSeconds) }
        }
        ended.signal()
    }

    /// Reads every file that changed since it was last read to its end, oldest first.
    private func pass(_ folder: inout SpoolFolder) throws {
        for (path, state) in try candidates(&folder) where !isStopping {
            if folder.readToEnd[path] != state {
                let summary = try ingest(path)
                if summary.records > 0 || summary.pendingBytes > 0 {
                    logger.info(
                        "spool file ingested",
                        metadata: [
                            "feed": "\(feed.name)", "file": "\(path)", "records": "\(summary.records)",
                            "ingested": "\(summary.ingested)", "duplicates": "\(summary.duplicates)",
                            "rejected": "\(summary.rejected)", "pending_bytes": "\(summary.pendingBytes)",
                        ])
                }
                onSummary(summary)
                folder.readToEnd[path] = state
                if summary.pendingBytes > 0 { folder.pending.insert(path) } else { folder.pending.remove(path) }
            }
            if folder.readToEnd[path] == state, let processed = spool.processed,
                Double(now()) / 1e6 - state.modified.timeIntervalSince1970 >= spool.settleSeconds
            {
                if folder.pending.contains(path) {
                    // The file is done growing: its last line is complete as it is.
                    let summary = try ingest(path, endsFile: true)
                    onSummary(summary)
                    guard summary.pendingBytes == 0 else { continue }  // a record still waits for a later one
                    folder.pending.remove(path)
                }
                try move(path, to: processed)
                folder.readToEnd[path] = nil
            }
        }
    }

    private func ingest(_ path: String, endsFile: Bool = false) throws -> Ingestor.Summary {
        let ingestor = try Ingestor(connect: connect, feed: feed.name, settings: feed.settings, now: now())
        return try ingestor.ingest(
            path: path, endsFile: endsFile, clock: { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 },
            shouldStop: { [self] in isStopping })
    }

    /// The regular files matching the pattern, with their size and time, oldest first.
    private func candidates(_ folder: inout SpoolFolder) throws -> [(String, SpoolFolder.FileState)] {
        let manager = FileManager.default
        let names: [String]
        do {
            names = try manager.contentsOfDirectory(atPath: spool.path)
        } catch {
            throw ConfigurationError("cannot list the spool folder \(spool.path) of feed '\(feed.name)'")
        }
        var files: [(String, SpoolFolder.FileState)] = []
        for name in names where fnmatch(spool.pattern, name, 0) == 0 {
            let path = spool.path + "/" + name
            guard let attributes = try? manager.attributesOfItem(atPath: path) else { continue }
            guard attributes[.type] as? FileAttributeType == .typeRegular,
                let size = (attributes[.size] as? NSNumber)?.int64Value,
                let modified = attributes[.modificationDate] as? Date
            else {
                if folder.skipped.insert(path).inserted {
                    logger.warning(
                        "spool entry skipped: not a regular file (a FIFO, device, symlink or folder)",
                        metadata: ["feed": "\(feed.name)", "file": "\(path)"])
                }
                continue
            }
            files.append((path, SpoolFolder.FileState(size: size, modified: modified)))
        }
        return files.sorted { ($0.1.modified, $0.0) < ($1.1.modified, $1.0) }
    }

    private func move(_ path: String, to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let target = folder + "/" + (path as NSString).lastPathComponent
        guard rename(path, target) == 0 else {
            throw ConfigurationError("cannot move \(path) to \(target): \(String(cString: strerror(errno)))")
        }
        logger.info("spool file moved", metadata: ["feed": "\(feed.name)", "file": "\(path)", "to": "\(target)"])
    }
}

/// What one spool watcher's thread knows of its folder between passes.
private struct SpoolFolder {
    /// A file's size and time when it was read.
    struct FileState: Equatable {
        let size: Int64
        let modified: Date
    }

    /// The state of each file when it was last read to its end.
    var readToEnd: [String: FileState] = [:]
    /// Files whose last read left bytes unread (a line without its end, or a record waiting).
    var pending: Set<String> = []
    /// Entries already reported as not regular files.
    var skipped: Set<String> = []
}
