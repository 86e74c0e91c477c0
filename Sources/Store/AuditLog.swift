import Handover
import Postgres

/// The lawful-access audit log as an auditor reads it.
public struct AuditLog {
    private let connection: Connection

    /// Creates a reader on a connection (an auditor's: officers cannot read the log).
    public init(connection: Connection) { self.connection = connection }

    /// Every entry in sequence order, or only those of one request.
    public func entries(request: Int64? = nil) throws -> [AuditEntry] {
        try connection.execute(
            """
            SELECT seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), login, action, request_id,
                   criteria, records, encode(result_sha256, 'hex'), encode(prev_hash, 'hex'), encode(entry_hash, 'hex')
            FROM lawful.audit WHERE $1::bigint IS NULL OR request_id = $1 ORDER BY seq
            """, [.optional(request.map(String.init))]
        ).rows.map { row in
            AuditEntry(
                sequence: Int64(row[0]!)!, at: row[1]!, login: row[2]!, action: row[3]!,
                requestID: row[4].flatMap(Int64.init),
                criteria: row[5]!, records: Int64(row[6]!)!, resultSHA256: row[7], previousHash: row[8]!,
                entryHash: row[9]!)
        }
    }

    /// Recomputes the whole chain: nil when intact, else the first entry that breaks it; with the
    /// number of entries read.
    public func verify() throws -> (entries: Int, head: String?, firstBreak: AuditChain.Break?) {
        let all = try entries()
        return (all.count, all.last?.entryHash, AuditChain.firstBreak(in: all))
    }
}
