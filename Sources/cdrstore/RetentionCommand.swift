import ArgumentParser
import Feeds
import Store

/// `cdrstore retention`: the ceiling and floor, and the runs that enforce them.
struct RetentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention", abstract: "Show or set the retention policy; run retention.",
        subcommands: [Policy.self, Run.self])

    /// `retention policy [--ceiling-months N --floor-months N [--i-know]]`.
    struct Policy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "policy", abstract: "Show the retention policy, or change it.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Months after which un-held calls must be gone (1 to 120 without --i-know).")
        var ceilingMonths: Int?
        @Option(help: "Months during which nothing is removed (at least 1 without --i-know).") var floorMonths: Int?
        @Option(help: "The IANA zone whose calendar months are counted in (default UTC).") var zone: String?
        @Flag(help: "Allow a floor under 1 month or a ceiling over 120 months; the change is logged.")
        var iKnow = false

        func run() throws {
            let connection = try database.connectToCurrentSchema()
            var policy = try RetentionPolicy.load(from: connection)
            if ceilingMonths != nil || floorMonths != nil || zone != nil {
                policy.ceilingMonths = ceilingMonths ?? policy.ceilingMonths
                policy.floorMonths = floorMonths ?? policy.floorMonths
                policy.zone = zone ?? policy.zone
                try policy.save(to: connection, override: iKnow)
                Output.line("policy changed\(iKnow ? " (with --i-know, logged)" : "")")
            }
            Output.line("ceiling: \(policy.ceilingMonths) months (un-held calls older than this are removed)")
            Output.line("floor:   \(policy.floorMonths) months (nothing younger than this is ever removed)")
            Output.line("zone:    \(policy.zone) (months are counted in its calendar)")
            Output.flush()
        }
    }

    /// `retention run [--dry-run] [--as-of T] [--json]`.
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Drop expired days, keeping what holds cover; --dry-run shows exactly what would happen.")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Change nothing; print what a real run at the same --as-of would do.") var dryRun = false
        @Option(help: "The moment to act as of (default: now); at most a day ahead unless --dry-run.") var asOf: String?
        @Flag(help: "One JSON object instead of a table.") var json = false

        func run() throws {
            let now = WallClock.nowMicroseconds()
            let moment = try asOf.map { try TimeOption.parse($0, flag: "--as-of") } ?? now
            let connection = try database.connect()
            let report = try RetentionRunner(connection: connection).run(asOf: moment, now: now, dryRun: dryRun)
            if json { Output.line(Self.json(report)) } else { Self.printTable(report) }
            Output.flush()
        }

        static func printTable(_ report: RetentionRunner.Report) {
            Output.line(
                "\(report.dryRun ? "dry run — nothing changed" : "retention run") as of \(report.asOf): "
                    + "cutoff \(report.cutoff), floor \(report.floorLine)")
            Output.line(
                TextTable.render(
                    headers: ["day", "action", "rows removed", "preserved", "by hold", "stats rows"],
                    rows: report.days.map { day in
                        [
                            day.day, day.action.rawValue, Quantity.grouped(day.rowsRemoved),
                            Quantity.grouped(day.rowsPreserved),
                            day.preservedByHold.keys.sorted().map { "#\($0): \(day.preservedByHold[$0]!)" }
                                .joined(separator: ", "),
                            String(day.statsRows),
                        ]
                    }))
            Output.line(
                "\(report.days.count) partition\(report.days.count == 1 ? "" : "s") "
                    + "\(report.dryRun ? "would be " : "")dropped or trimmed; "
                    + "\(Quantity.grouped(report.purged)) preserved call\(report.purged == 1 ? "" : "s") "
                    + "\(report.dryRun ? "would be " : "")purged; "
                    + "\(report.indexedDays) day\(report.indexedDays == 1 ? "" : "s") "
                    + "\(report.dryRun ? "would be " : "")indexed for lookups")
        }

        static func json(_ report: RetentionRunner.Report) -> String {
            var writer = JSONObjectWriter()
            writer.add("dry_run", report.dryRun)
            writer.add("as_of", report.asOf)
            writer.add("cutoff", report.cutoff)
            writer.add("floor", report.floorLine)
            let days = report.days.map { day -> String in
                var entry = JSONObjectWriter()
                entry.add("day", day.day)
                entry.add("action", day.action.rawValue)
                entry.add("rows_removed", day.rowsRemoved)
                entry.add("rows_preserved", day.rowsPreserved)
                var byHold = JSONObjectWriter()
                for hold in day.preservedByHold.keys.sorted() { byHold.add(String(hold), day.preservedByHold[hold]) }
                entry.addRaw("preserved_by_hold", byHold.finish())
                entry.add("stats_rows", day.statsRows)
                return entry.finish()
            }
            writer.addRaw("days", "[" + days.joined(separator: ",") + "]")
            writer.add("purged", report.purged)
            writer.add("indexed_days", report.indexedDays)
            return writer.finish()
        }
    }
}
