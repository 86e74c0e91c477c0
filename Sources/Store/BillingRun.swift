import Billing
import Postgres

/// `cdrstore bill`: issues the invoices of one calendar month, one per account, each with a billing
/// hold that keeps its calls until it is paid. A period billed again issues nothing new: an issued
/// invoice never changes.
public struct BillingRun {
    /// An invoice this run issued.
    public struct Issued: Sendable, Equatable {
        /// Its id.
        public let id: Int64
        /// The account.
        public let account: String
        /// Its currency.
        public let currency: String
        /// Its lines and totals.
        public let invoice: Invoice
    }

    /// What a run did.
    public struct Outcome: Sendable {
        /// Invoices issued now.
        public var issued: [Issued] = []
        /// Accounts whose invoice for the period existed already (unchanged), with its id.
        public var alreadyBilled: [String: Int64] = [:]
        /// Calls of accounts without a plan: reported, not invoiced.
        public var callsWithoutPlan: [String: Int64] = [:]
        /// Calls that name no account.
        public var callsWithoutAccount: Int64 = 0
    }

    private let connection: Connection

    /// Creates a run on a connection.
    public init(connection: Connection) { self.connection = connection }

    /// Bills `period` for every account with calls in it (or only `account`); `now` is µs since the epoch.
    public func bill(period: BillingPeriod, account: String?, now: Int64) throws -> Outcome {
        try connection.transaction {
            try connection.execute("SELECT pg_advisory_xact_lock(hashtext('cdrstore'), hashtext('billing'))")
            let accounts = try loadAccounts(period: period, only: account)
            let utc = try bounds(period: period, zone: "UTC")
            let widest = accounts.values.reduce(utc) { (min($0.0, $1.from), max($0.1, $1.to)) }
            guard widest.0 <= now else { throw StoreError("period \(period) is in the future; nothing to bill") }
            guard widest.1 <= now else {
                throw StoreError(
                    "period \(period) has not ended yet; bill it once its last day is over in every account's zone")
            }
            var outcome = Outcome()
            for row in try connection.execute(
                "SELECT account, id FROM billing.invoice WHERE period = $1::date", [.text(period.firstDay)]
            ).rows {
                outcome.alreadyBilled[row[0]!] = Int64(row[1]!)!
            }
            let rating = PeriodRating(connection: connection, plans: try Tariffs(connection: connection).plans())
            let rated = try rating.rate(
                from: widest.0, to: widest.1, accounts: accounts, defaultBounds: utc, only: account,
                skip: Set(outcome.alreadyBilled.keys))
            outcome.callsWithoutPlan = rated.callsWithoutPlan
            outcome.callsWithoutAccount = rated.callsWithoutAccount
            if let account { outcome.alreadyBilled = outcome.alreadyBilled.filter { $0.key == account } }
            let holds = Holds(connection: connection)
            try holds.lockAgainstRetention()
            for (name, invoice) in rated.invoices.sorted(by: { $0.key < $1.key }) {
                let info = accounts[name]!
                let id = try issue(invoice, account: info, period: period, holds: holds)
                outcome.issued.append(Issued(id: id, account: name, currency: info.currency, invoice: invoice))
            }
            return outcome
        }
    }

    private func issue(
        _ invoice: Invoice, account: PeriodRating.Account, period: BillingPeriod, holds: Holds
    ) throws -> Int64 {
        let holdID = try holds.insert(
            kind: "billing", reason: "invoice for \(account.name) \(period) is unpaid", numbers: [], addresses: [],
            account: account.name, from: account.from, to: account.to, expires: nil)
        let calls = invoice.totals.calls + invoice.unansweredCalls
        let id = try connection.execute(
            """
            INSERT INTO billing.invoice (account, period, period_from, period_to, plan, currency, calls, unanswered, total,
                                         calls_through, hold_id)
            VALUES ($1, $2::date, \(SQLTime.timestamp("$3")), \(SQLTime.timestamp("$4")), $5, $6, $7, $8, $9, now(), $10)
            RETURNING id
            """,
            [
                .text(account.name), .text(period.firstDay), .text(String(account.from)), .text(String(account.to)),
                .text(account.plan ?? ""), .text(account.currency), .text(String(calls)),
                .text(String(invoice.unansweredCalls)), .text(String(invoice.totals.amount)), .text(String(holdID)),
            ]
        ).scalar!
        for (number, line) in invoice.lines.enumerated() {
            try connection.execute(
                """
                INSERT INTO billing.invoice_line (invoice_id, line, item, calls, billable_s, billed_s, amount)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """,
                [
                    .text(id), .text(String(number + 1)), .text(Self.itemText(line.item)),
                    .text(String(line.figures.calls)), .text(String(line.figures.billableSeconds)),
                    .text(String(line.figures.billedSeconds)), .text(String(line.figures.amount)),
                ])
        }
        return Int64(id)!
    }

    /// The words of an invoice line's item.
    static func itemText(_ item: InvoiceLine.Item) -> String {
        switch item {
        case .tariff(let description): return description
        case .unrated: return "unrated (no tariff prefix matched)"
        }
    }

    /// The accounts of `billing.account` (or only `only`), with the period's bounds in their zones.
    private func loadAccounts(period: BillingPeriod, only: String?) throws -> [String: PeriodRating.Account] {
        let rows = try connection.execute(
            """
            SELECT account, plan, currency,
                   \(SQLTime.micros("($2::date)::timestamp AT TIME ZONE zone")),
                   \(SQLTime.micros("(($2::date) + interval '1 month')::timestamp AT TIME ZONE zone"))
            FROM billing.account WHERE $1::text IS NULL OR account = $1
            """, [.optional(only), .text(period.firstDay)]
        ).rows
        return Dictionary(
            uniqueKeysWithValues: rows.map { row in
                (
                    row[0]!,
                    PeriodRating.Account(
                        name: row[0]!, plan: row[1], currency: row[2]!, from: Int64(row[3]!)!, to: Int64(row[4]!)!)
                )
            })
    }

    private func bounds(period: BillingPeriod, zone: String) throws -> (Int64, Int64) {
        let row = try connection.execute(
            """
            SELECT \(SQLTime.micros("($1::date)::timestamp AT TIME ZONE $2")),
                   \(SQLTime.micros("(($1::date) + interval '1 month')::timestamp AT TIME ZONE $2"))
            """, [.text(period.firstDay), .text(zone)]
        ).rows[0]
        return (Int64(row[0]!)!, Int64(row[1]!)!)
    }
}
