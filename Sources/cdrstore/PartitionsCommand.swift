import ArgumentParser
import Feeds
import Store

/// `cdrstore partitions`: the daily partitions of `cdr.call`.
struct PartitionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partitions", abstract: "Create, list or index the daily partitions.",
        subcommands: [Ensure.self, List.self, Index.self])

    /// `partitions ensure --ahead N`.
    struct Ensure: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ensure",
            abstract: "Create today's partition and the next days' ahead of time.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Days after today to create.") var ahead = 7

        func validate() throws {
            guard (0...366).contains(ahead) else { throw ValidationError("--ahead must be between 0 and 366 days") }
        }

        func run() throws {
            let connection = try database.connectToCurrentSchema()
            var partitions = Partitions(connection: connection)
            let created = try partitions.ensureAhead(now: WallClock.nowMicroseconds(), ahead: ahead)
            Output.line(
                "created \(created) partition\(created == 1 ? "" : "s"); today and the next \(ahead) days are ready")
            Output.flush()
        }
    }

    /// `partitions index`.
    struct Index: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "index",
            abstract:
                "Index for lookups the finished days with calls not indexed yet (retention run does it too).")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let connection = try database.connectToCurrentSchema()
            let indexed = try Partitions(connection: connection).indexDays(
                before: WallClock.nowMicroseconds() / 86_400_000_000)
            let pairs = indexed.reduce(0) { $0 + $1.pairs }
            Output.line(
                "indexed \(indexed.count) day\(indexed.count == 1 ? "" : "s") for lookups"
                    + (indexed.isEmpty ? "" : ", \(indexed.first!.day) to \(indexed.last!.day)")
                    + ": \(Quantity.grouped(pairs)) (day, identifier) pairs; today is indexed once it is over")
            Output.flush()
        }
    }

    /// `partitions list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the daily partitions with sizes and row counts.")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Count rows exactly instead of using the planner's estimate.") var exact = false
        @Flag(help: "One JSON object per partition.") var json = false

        func run() throws {
            let connection = try database.connectToCurrentSchema()
            let partitions = try Partitions(connection: connection).list(exact: exact)
            if json {
                for partition in partitions {
                    var writer = JSONObjectWriter()
                    writer.add("day", partition.day)
                    writer.add("partition", partition.name)
                    writer.add("rows", Int(partition.rows))
                    writer.add("rows_exact", exact)
                    writer.add("total_bytes", Int(partition.totalBytes))
                    Output.line(writer.finish())
                }
            } else {
                Output.line(
                    TextTable.render(
                        headers: ["day", "partition", exact ? "rows" : "rows (estimate)", "size"],
                        rows: partitions.map {
                            [$0.day, "cdr." + $0.name, Quantity.grouped(Int($0.rows)), Quantity.bytes($0.totalBytes)]
                        }))
                Output.line("\(partitions.count) partition\(partitions.count == 1 ? "" : "s")")
            }
            Output.flush()
        }
    }
}
