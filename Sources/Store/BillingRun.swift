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
        /// Its adjustment lines, for earlier invoices' months.
        public let adjustments: [BillingAdjustment]

        /// The amount due: the lines' and the adjustments' amounts.
        public var total: Int64 { adjustments.reduce(invoice.totals.amount) { $0 + $1.figures.amount } }
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

    /// Bills `period` for every account with calls in it (or only `account`); `now` is µs since the
    /// epoch. A dry run takes the same steps in a transaction it rolls back: it says what a run would
    /// issue (with the ids it would have) and stores nothing.
    public func bill(period: BillingPeriod, account: String?, now: Int64, dryRun: Bool = false) throws -> Outcome {
        let steps = { try issueInvoices(period: period, account: account, now: now) }
        return dryRun ? try connection.rollingBack(steps) : try connection.transaction(steps)
    }

    /// The steps of `bill`, inside the caller's transaction.
    private func issueInvoices(period: BillingPeriod, account: String?, now: Int64) throws -> Outcome {
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
        let adjustments = try self.adjustments(before: period, only: account, rating: rating).filter {
            outcome.alreadyBilled[$0.key] == nil
        }
        let empty = InvoiceBuilder().invoice
        let toIssue = Set(rated.invoices.keys).union(adjustments.keys).sorted().compactMap { name in
            accounts[name].map { info in
                (
                    Issued(
                        id: 0, account: name, currency: info.currency, invoice: rated.invoices[name] ?? empty,
                        adjustments: adjustments[name] ?? []), info
                )
            }
        }
        outcome.issued = try issue(toIssue, period: period)
        return outcome
    }

    /// Inserts the invoices, a billing hold for each, and their lines (by one statement each, and
    /// one COPY for the lines); returns them with their ids, in account order.
    private func issue(_ invoices: [(Issued, PeriodRating.Account)], period: BillingPeriod) throws -> [Issued] {
        guard !invoices.isEmpty else { return [] }
        let holds = Holds(connection: connection)
        try holds.lockAgainstRetention()
        let holdIDs = try holds.insertBillingHolds(
            invoices.map { _, account in
                (account.name, account.from, account.to, "invoice for \(account.name) \(period) is unpaid")
            })
        func column(_ value: (_ invoice: Issued, _ account: PeriodRating.Account) -> String) -> QueryParameter {
            .text(SQLArray.literal(invoices.map { value($0.0, $0.1) }))
        }
        let rows = try connection.execute(
            """
            INSERT INTO billing.invoice (account, period, period_from, period_to, plans, currency, calls, unanswered,
                                         total, hold_id)
            SELECT v.account, $1::date, \(SQLTime.timestamp("v.from_us")), \(SQLTime.timestamp("v.to_us")), v.plans,
                   v.currency, v.calls, v.unanswered, v.total, v.hold_id
            FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::bigint[], $8::bigint[],
                        $9::bigint[], $10::bigint[]) WITH ORDINALITY
                 AS v (account, from_us, to_us, plans, currency, calls, unanswered, total, hold_id, n)
            ORDER BY v.n
            RETURNING account, id
            """,
            [
                .text(period.firstDay), column { _, account in account.name },
                column { _, account in String(account.from) }, column { _, account in String(account.to) },
                column { _, account in account.plansDuringPeriod.joined(separator: ", ") },
                column { _, account in account.currency },
                column { invoice, _ in String(invoice.invoice.totals.calls + invoice.invoice.unansweredCalls) },
                column { invoice, _ in String(invoice.invoice.unansweredCalls) },
                column { invoice, _ in String(invoice.total) }, column { _, account in String(holdIDs[account.name]!) },
            ]
        ).rows
        let ids = Dictionary(uniqueKeysWithValues: rows.map { ($0[0]!, Int64($0[1]!)!) })
        var lineRows = ""
        let issued = invoices.map { issued, account in
            let id = ids[account.name]!
            let lines =
                issued.invoice.lines.map { (Self.itemText($0.item), nil as Int64?, $0.figures) }
                + issued.adjustments.map { ($0.item, $0.invoiceID as Int64?, $0.figures) }
            for (number, line) in lines.enumerated() {
                lineRows += CopyText.line([
                    String(id), String(number + 1), line.0, line.1.map(String.init), String(line.2.calls),
                    String(line.2.billableSeconds), String(line.2.billedSeconds), String(line.2.amount),
                ])
            }
            return Issued(
                id: id, account: account.name, currency: account.currency, invoice: issued.invoice,
                adjustments: issued.adjustments)
        }
        if !lineRows.isEmpty {
            _ = try connection.copyIn(
                """
                COPY billing.invoice_line (invoice_id, line, item, adjusts_invoice, calls, billable_s, billed_s, amount)
                FROM STDIN
                """, chunks: [Array(lineRows.utf8)])
        }
        return issued
    }

    /// How many months before the billed one are checked for late calls and later rates.
    public static let adjustmentMonths = 3

    /// Per account, the adjustments its invoices of the `adjustmentMonths` months before `period`
    /// need: each such month rated again from the calls and rates as they are now, per item, minus
    /// what was invoiced for it so far (the invoice and earlier adjustments).
    private func adjustments(
        before period: BillingPeriod, only: String?, rating: PeriodRating
    ) throws -> [String: [BillingAdjustment]] {
        let earlier = try connection.execute(
            """
            SELECT i.id, i.account, to_char(i.period, 'YYYY-MM')
            FROM billing.invoice AS i
            WHERE i.period >= $1::date - interval '\(Self.adjustmentMonths) months' AND i.period < $1::date
              AND ($2::text IS NULL OR i.account = $2)
            ORDER BY i.period, i.account
            """, [.text(period.firstDay), .optional(only)]
        ).rows
        var result: [String: [BillingAdjustment]] = [:]
        for month in Dictionary(grouping: earlier, by: { $0[2]! }).sorted(by: { $0.key < $1.key }) {
            let invoiceIDs = Dictionary(uniqueKeysWithValues: month.value.map { ($0[1]!, Int64($0[0]!)!) })
            let accounts = try loadAccounts(period: try BillingPeriod(parsing: month.key), only: only).filter {
                invoiceIDs[$0.key] != nil
            }
            guard !accounts.isEmpty else { continue }
            let from = accounts.values.map(\.from).min()!
            let to = accounts.values.map(\.to).max()!
            let now = try rating.rate(
                from: from, to: to, accounts: accounts, defaultBounds: (from, from), only: only, skip: [])
            for (name, id) in invoiceIDs {
                let invoiced = try invoicedFigures(of: id)
                var current: [String: InvoiceFigures] = [:]
                for line in now.invoices[name]?.lines ?? [] { current[Self.itemText(line.item)] = line.figures }
                for item in Set(invoiced.keys).union(current.keys).sorted() {
                    let difference = (current[item] ?? InvoiceFigures()).minus(invoiced[item] ?? InvoiceFigures())
                    guard difference != InvoiceFigures() else { continue }
                    result[name, default: []].append(
                        BillingAdjustment(invoiceID: id, period: month.key, item: item, figures: difference))
                }
            }
        }
        return result
    }

    /// Per item, what invoice `id` and the adjustments to it so far charged.
    private func invoicedFigures(of id: Int64) throws -> [String: InvoiceFigures] {
        let rows = try connection.execute(
            """
            SELECT item, sum(calls), sum(billable_s), sum(billed_s), sum(amount) FROM billing.invoice_line
            WHERE (invoice_id = $1 AND adjusts_invoice IS NULL) OR adjusts_invoice = $1
            GROUP BY item
            """, [.text(String(id))]
        ).rows
        return Dictionary(
            uniqueKeysWithValues: rows.map { row in
                (
                    row[0]!,
                    InvoiceFigures(
                        calls: Int64(row[1]!)!, billableSeconds: Int64(row[2]!)!, billedSeconds: Int64(row[3]!)!,
                        amount: Int64(row[4]!)!)
                )
            })
    }

    /// The words of an invoice line's item.
    static func itemText(_ item: InvoiceLine.Item) -> String {
        switch item {
        case .tariff(let description): return description
        case .unrated: return "unrated (no tariff prefix matched)"
        }
    }

    /// The accounts of `billing.account` (or only `only`), with their plans and the period's bounds in their zones.
    private func loadAccounts(period: BillingPeriod, only: String?) throws -> [String: PeriodRating.Account] {
        var plans: [String: [(from: Int64, plan: String)]] = [:]
        for row in try connection.execute(
            """
            SELECT account, \(SQLTime.micros("greatest(valid_from, timestamptz '0001-01-01 00:00+00')")), plan
            FROM billing.account_plan WHERE $1::text IS NULL OR account = $1 ORDER BY account, valid_from
            """, [.optional(only)]
        ).rows {
            plans[row[0]!, default: []].append((Int64(row[1]!)!, row[2]!))
        }
        let rows = try connection.execute(
            """
            SELECT account, currency,
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
                        name: row[0]!, plans: plans[row[0]!] ?? [], currency: row[1]!, from: Int64(row[2]!)!,
                        to: Int64(row[3]!)!)
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
