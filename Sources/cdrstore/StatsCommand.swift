import ArgumentParser
import CDRModel
import Feeds
import Store

/// `cdrstore stats`: anonymous traffic statistics of the days retention has rolled up.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Anonymous daily traffic statistics (days are rolled up before their calls are removed).")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "First day, YYYY-MM-DD.") var from: String
    @Option(help: "Last day, YYYY-MM-DD.") var to: String
    @Flag(help: "One JSON object per row.") var json = false

    func run() throws {
        for (flag, value) in [("--from", from), ("--to", to)] where CivilTime.parseDate(value) == nil {
            throw CLIError("\(flag) '\(value)' is not a date YYYY-MM-DD")
        }
        let connection = try database.connectToCurrentSchema()
        let result = try StoreReports(connection: connection).dailyTraffic(from: from, to: to)
        if json {
            for row in result.rows {
                var writer = JSONObjectWriter()
                for (index, column) in result.columns.enumerated() {
                    if index >= 5 { writer.add(column, Int(row[index] ?? "")) } else { writer.add(column, row[index]) }
                }
                Output.line(writer.finish())
            }
        } else {
            Output.line(TextTable.render(headers: result.columns, rows: result.rows.map { $0.map { $0 ?? "" } }))
            Output.line("\(result.rows.count) row\(result.rows.count == 1 ? "" : "s")")
        }
        Output.flush()
    }
}
