import Postgres

/// Issued invoices: listed, shown line by line, and marked paid (which releases their billing hold).
public struct Invoices {
    private let connection: Connection

    /// Creates a helper on a connection.
    public init(connection: Connection) { self.connection = connection }

    /// The invoices, optionally of one period and/or only the unpaid ones, by period and account.
    public func list(period: BillingPeriod?, unpaidOnly: Bool) throws -> QueryResult {
        try connection.execute(
            """
            SELECT id, account, to_char(period, 'YYYY-MM') AS period, plans, currency, calls, unanswered, total,
                   CASE WHEN paid_at IS NULL THEN 'unpaid' ELSE 'paid' END AS status, hold_id
            FROM billing.invoice
            WHERE ($1::date IS NULL OR period = $1::date) AND (NOT $2::boolean OR paid_at IS NULL)
            ORDER BY period, account
            """, [.optional(period?.firstDay), .text(unpaidOnly ? "true" : "false")])
    }

    /// One invoice's header (`list`'s columns and when it was issued and paid) and its lines.
    public func show(id: Int64) throws -> (header: QueryResult, lines: QueryResult) {
        let header = try connection.execute(
            """
            SELECT id, account, to_char(period, 'YYYY-MM') AS period, plans, currency, calls, unanswered, total,
                   CASE WHEN paid_at IS NULL THEN 'unpaid' ELSE 'paid' END AS status, hold_id,
                   \(SQLTime.iso("issued_at")) AS issued_at, issued_by, \(SQLTime.iso("paid_at")) AS paid_at, paid_by
            FROM billing.invoice WHERE id = $1
            """, [.text(String(id))])
        guard !header.rows.isEmpty else {
            throw StoreError("there is no invoice \(id); cdrstore invoice list shows them")
        }
        let lines = try connection.execute(
            """
            SELECT line, item, calls, billable_s, billed_s, amount
            FROM billing.invoice_line WHERE invoice_id = $1 ORDER BY line
            """, [.text(String(id))])
        return (header, lines)
    }

    /// Records the payment of invoice `id` and releases its billing hold (the next retention run
    /// may then drop its calls once they are past the ceiling).
    public func markPaid(id: Int64) throws {
        try connection.transaction {
            let holds = Holds(connection: connection)
            try holds.lockAgainstRetention()
            let row = try connection.execute(
                "SELECT paid_at IS NOT NULL, hold_id FROM billing.invoice WHERE id = $1 FOR UPDATE", [.text(String(id))]
            ).rows.first
            guard let row else { throw StoreError("there is no invoice \(id); cdrstore invoice list shows them") }
            guard row[0] == "f" else { throw StoreError("invoice \(id) is already paid") }
            try connection.execute(
                "UPDATE billing.invoice SET paid_at = now(), paid_by = session_user WHERE id = $1", [.text(String(id))])
            if let hold = row[1].flatMap({ Int64($0) }) {
                try holds.releaseLocked(id: hold, reason: "invoice \(id) paid")
            }
        }
    }
}
