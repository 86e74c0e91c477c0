import Billing
import Feeds
import Postgres

/// Prints query results as a table, CSV or JSON lines, with amount columns (1/10000 units) as decimals.
enum ResultOutput {
    /// The layouts a listing can take.
    enum Layout: String {
        /// Aligned columns.
        case table
        /// Comma-separated values with a header line.
        case csv
        /// One JSON object per row.
        case json

        /// The layout `--format` names, or a plain refusal.
        static func parse(_ text: String) throws -> Layout {
            guard let layout = Layout(rawValue: text) else {
                throw CLIError("--format is table, csv or json, not '\(text)'")
            }
            return layout
        }
    }

    /// Prints `result`; the columns named in `amounts` hold minor units and print as `1.2345`.
    static func print(_ result: QueryResult, layout: Layout, amounts: Set<String> = []) {
        let rows = result.rows.map { row in
            zip(result.columns, row).map { column, value -> String? in
                guard let value, amounts.contains(column), let units = Int64(value) else { return value }
                return MinorUnits.text(units)
            }
        }
        Output.write(text(columns: result.columns, rows: rows, layout: layout))
    }

    /// The text of a listing (each line ending in a newline).
    static func text(columns: [String], rows: [[String?]], layout: Layout) -> String {
        switch layout {
        case .table:
            return TextTable.render(headers: columns, rows: rows.map { $0.map { $0 ?? "" } }) + "\n"
        case .csv:
            return
                ([columns.joined(separator: ",")] + rows.map { $0.map { csvField($0 ?? "") }.joined(separator: ",") })
                .map { $0 + "\n" }.joined()
        case .json:
            return rows.map { row in
                var writer = JSONObjectWriter()
                for (column, value) in zip(columns, row) { writer.add(column, value) }
                return writer.finish() + "\n"
            }.joined()
        }
    }

    private static func csvField(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
