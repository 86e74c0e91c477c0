import ArgumentParser
import Feeds
import Store

/// `cdrstore ingest`: load feed files into the store, exactly once.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Ingest feed files into the store, exactly once.",
        discussion: """
            Reads each file from where the previous run stopped (a renamed or copied file is recognised by its
            content), stores each record once per feed, refuses bad records into cdr.reject, and leaves an
            unterminated last line for the next run.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The feed's name: records are unique per feed.") var feed: String
    @OptionGroup var feedOptions: FeedOptions
    @Flag(help: "Print one JSON object per file on stdout instead of a sentence.") var json = false
    @Option(help: .hidden) var batchSize = 50_000
    @Argument(help: "Feed files to read.") var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one feed file to ingest") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
    }

    func run() throws {
        let settings = try feedOptions.settings()
        try Ingestor.checkFeedName(feed)
        for path in files { try FeedFileReader(path: path).close() }
        let ingestor = try Ingestor(
            connect: try database.opener(), feed: feed, settings: settings, now: WallClock.nowMicroseconds(),
            batchRecords: batchSize)
        for path in files {
            let summary = try ingestor.ingest(
                path: path, clock: WallClock.monotonicSeconds, progress: progressReporter())
            if Output.stderrIsTerminal && !json { Output.endProgress() }
            Output.line(json ? Self.json(summary, feed: feed) : Self.sentence(summary))
            Output.flush()
        }
    }

    private func progressReporter() -> (Ingestor.Progress) -> Void {
        guard Output.stderrIsTerminal, !json else { return { _ in } }
        let started = WallClock.monotonicSeconds()
        return { progress in
            let elapsed = max(WallClock.monotonicSeconds() - started, 0.001)
            Output.progress(
                "\(Quantity.bytes(progress.offset)) of \(Quantity.bytes(progress.size)), "
                    + "\(Quantity.grouped(Int(Double(progress.records) / elapsed))) rows/s")
        }
    }

    /// The human summary of one file.
    static func sentence(_ summary: Ingestor.Summary) -> String {
        var text =
            "\(summary.path): \(Quantity.grouped(summary.records)) records, "
            + "\(Quantity.grouped(summary.ingested)) ingested, \(Quantity.grouped(summary.duplicates)) duplicates, "
            + "\(Quantity.grouped(summary.rejected)) rejected in \(String(format: "%.2f", summary.seconds)) s"
        if summary.resumedFrom > 0 { text += "; resumed at byte \(summary.resumedFrom)" }
        if summary.records == 0 { text += "; nothing new" }
        if summary.pendingBytes > 0 {
            text += "; \(summary.pendingBytes) bytes of an unfinished last line left for the next run"
        }
        if summary.rejected > 0 { text += " (see: cdrstore rejects list)" }
        return text
    }

    /// The JSON summary of one file.
    static func json(_ summary: Ingestor.Summary, feed: String) -> String {
        var writer = JSONObjectWriter()
        writer.add("file", summary.path)
        writer.add("feed", feed)
        writer.add("records", summary.records)
        writer.add("ingested", summary.ingested)
        writer.add("duplicates", summary.duplicates)
        writer.add("rejected", summary.rejected)
        writer.add("resumed_from", Int(summary.resumedFrom))
        writer.add("bytes_read", Int(summary.bytesRead))
        writer.add("pending_bytes", Int(summary.pendingBytes))
        writer.add("seconds", summary.seconds, digits: 3)
        return writer.finish()
    }
}
