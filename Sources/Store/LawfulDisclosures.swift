import Handover
import Postgres

/// Audited reads of call data: lookups under a legal request, exports of their results and
/// subject exports. Each is two statements, each committed on its own: the first has the database
/// check it and commit its audit entry, the second hands out the calls that entry records.
///
/// - Important: the connection must not be inside a transaction: the database hands out no call
///   data before the audit entry's transaction has committed.
public struct LawfulDisclosures {
    private let connection: Connection

    /// Creates a reader on a connection.
    public init(connection: Connection) { self.connection = connection }

    /// The calls of `identifier` within request `request`'s authorised window (clipped to it).
    /// Times are µs since the epoch; nil means the authorised window's own bound.
    public func lookup(request: Int64, identifier: LookupIdentifier, from: Int64?, to: Int64?) throws -> Disclosure {
        try disclosure(
            auditedBy: "lawful.lookup($1, $2, \(SQLTime.timestamp("$3")), \(SQLTime.timestamp("$4")))",
            [
                .text(String(request)), .text(identifier.text), .optional(from.map(String.init)),
                .optional(to.map(String.init)),
            ])
    }

    /// A person's own live calls, for a GDPR access or portability request.
    public func subjectExport(identifier: LookupIdentifier) throws -> Disclosure {
        try disclosure(auditedBy: "lawful.subject_export($1)", [.text(identifier.text)])
    }

    /// Records in the audit log that lookup entry `lookupSequence` was written to `fileName`; returns the entry.
    public func recordExport(lookupSequence: Int64, format: String, fileName: String, sha256: [UInt8]) throws -> Int64 {
        Int64(
            try connection.execute(
                "SELECT lawful.record_export($1, $2, $3, $4)",
                [.text(String(lookupSequence)), .text(format), .text(fileName), .bytes(sha256)]
            ).scalar!)!
    }

    /// Runs `audit` (which commits the entry and returns its number), then fetches that entry's calls.
    private func disclosure(auditedBy audit: String, _ parameters: [QueryParameter]) throws -> Disclosure {
        let entry = try connection.execute("SELECT \(audit)", parameters).scalar!
        let result = try connection.execute(
            """
            SELECT d.audit_seq, d.window_from, d.window_to, d.clipped, d.result_sha256,
                   c.record_number, c.start_time, c.answer_time, c.end_time, c.duration_s, c.source, c.destination,
                   c.source_ip, c.call_type, c.disposition, c.equipment, c.account, c.feed, c.record_key, c.stored
            FROM lawful.disclose($1) AS d LEFT JOIN LATERAL unnest(d.calls) AS c ON true
            ORDER BY c.record_number
            """, [.text(entry)])
        let first = result.rows[0]
        let calls = result.rows.compactMap { row -> DisclosedCall? in
            guard let number = row[5] else { return nil }
            return DisclosedCall(
                recordNumber: Int(number)!, startTime: row[6]!, answerTime: row[7], endTime: row[8]!,
                durationSeconds: Int(row[9]!)!, source: row[10]!, destination: row[11]!, sourceIP: row[12],
                callType: row[13]!, disposition: row[14]!, equipment: row[15], account: row[16], feed: row[17]!,
                recordKey: row[18], stored: row[19]!)
        }
        let disclosure = Disclosure(
            auditSequence: Int64(first[0]!)!, windowFrom: first[1], windowTo: first[2], clipped: first[3] == "t",
            resultSHA256: first[4]!, calls: calls)
        guard Disclosure.digest(of: calls) == disclosure.resultSHA256 else {
            throw StoreError(
                "the calls received do not match the digest the database recorded in audit entry "
                    + "\(disclosure.auditSequence); do not use this result")
        }
        return disclosure
    }
}
