import ArgumentParser
import Feeds
import Store

/// `cdrstore parse`: the ingest parser and normaliser without a database.
struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Parse a feed file without a database: one JSON object per record on stdout.",
        discussion: """
            Each line is either a record in cdrstore's canonical form (keys named like cdr.call's columns, times in
            ISO 8601 UTC) or {"reject": reason, "position": {...}, "raw": ...}. Nothing is stored. Use it to check a
            feed's --tz and --country-code before pointing the feed at the store.
            """)

    /// What to print for each record.
    enum Layout: String, ExpressibleByArgument {
        /// Canonical JSON lines.
        case json
        /// PostgreSQL text COPY lines for cdr.call (for loading with psql, e.g. in benchmarks).
        case copy
        /// Only a count of records and rejects, with the first rejects' reasons.
        case count
    }

    @OptionGroup var feedOptions: FeedOptions
    @Option(
        name: .customLong("as"),
        help: "json (default); copy: PostgreSQL text COPY rows for cdr.call; count: one line of totals.")
    var layout: Layout = .json
    @Option(help: "The feed name written into copy rows.") var feed = "parse"
    @Argument(help: "The feed file.") var file: String

    func run() throws {
        let settings = try feedOptions.settings()
        let reader = try FeedFileReader(path: file)
        defer { reader.close() }
        var parser = settings.makeParser(now: WallClock.nowMicroseconds())
        var records = 0
        var rejected = 0
        let outcome = try reader.parse(from: 0, with: &parser) { event in
            switch (event, layout) {
            case (.record, .count): records += 1
            case (.rejection(let rejection, _), .count):
                rejected += 1
                if rejected <= 5 { Output.line("line \(rejection.line): \(rejection.reason)") }
            case (.record(let call, _, _), .json): Output.line(CanonicalJSON.line(for: call))
            case (.record(let call, let raw, _), .copy):
                Output.write(CallRowText.line(for: call, feed: feed, format: settings.format, raw: raw))
            case (.rejection(let rejection, _), .json): Output.line(CanonicalJSON.line(for: rejection))
            case (.rejection(let rejection, _), .copy):
                Output.errorLine("cdrstore: rejected line \(rejection.line): \(rejection.reason)")
            }
        }
        if layout == .count {
            Output.line("\(Quantity.grouped(records)) records, \(Quantity.grouped(rejected)) rejected")
        }
        Output.flush()
        if outcome.pendingBytes > 0 {
            Output.errorLine(
                "cdrstore: the last \(outcome.pendingBytes) bytes hold an unfinished record (a line without its end, or a call still waiting for its end such as an answered INVITE without its BYE); not parsed"
            )
        }
    }
}
