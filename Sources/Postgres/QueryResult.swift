import CLibPQ

/// The rows of a finished query, read in PostgreSQL's text format.
public struct QueryResult: Sendable {
    /// Column names in order.
    public let columns: [String]
    /// Row values; `nil` is SQL NULL.
    public let rows: [[String?]]
    /// The number of rows a command touched (`INSERT`, `DELETE`, ...), or 0.
    public let affectedRows: Int

    /// Copies everything out of a libpq result.
    init(result: OpaquePointer) {
        let columnCount = PQnfields(result)
        let rowCount = PQntuples(result)
        columns = (0..<columnCount).map { String(cString: PQfname(result, $0)) }
        rows = (0..<rowCount).map { row in
            (0..<columnCount).map { column in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            }
        }
        affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    /// The first column of the first row, or nil when there is none or it is NULL.
    public var scalar: String? { rows.first?.first ?? nil }

    /// The value in `row` under the column called `name`.
    public func value(_ row: Int, _ name: String) -> String? {
        guard let index = columns.firstIndex(of: name) else { return nil }
        return rows[row][index]
    }
}
