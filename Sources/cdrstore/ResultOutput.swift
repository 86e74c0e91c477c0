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
    }

    /// Prints `result`; the columns named in `amounts` hold minor units and print as `1.2345`.
    static func print(_ result: QueryResult, layout: Layout, amounts: Set<String> = []) {
        let rows = result.rows.map { row in
            zip(result.columns, row).map { column, value -> String? in
                guard let value, amounts.contains(column), let units = Int64(value) else { return value }
                return MinorUnits.text(units)
            }
        }
        switch layout {
        case .table:
            Output.line(TextTable.render(headers: result.columns, rows: rows.map { $0.map { $0 ?? "" } }))
        case .csv:
            Output.line(result.columns.joined(separator: ","))
            for row in rows { Output.line(row.map { csvField($0 ?? "") }.joined(separator: ",")) }
        case .json:
            for row in rows {
                var writer = JSONObjectWriter()
                for (column, value) in zip(result.columns, row) { writer.add(column, value) }
                Output.line(writer.finish())
            }
        }
    }

    private static func csvField(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
