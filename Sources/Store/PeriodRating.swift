import Billing
import Foundation
import Postgres

/// Rates every call of one period for a set of accounts, reading the calls once (COPY out of
/// the period's partitions) and summing each account's rated calls into an invoice.
struct PeriodRating {
    /// A billing account as `billing.account` has it, with its period's bounds (µs, in its zone).
    struct Account {
        let name: String
        /// Its plans, each from a start (µs) until the next one's, ascending.
        let plans: [(from: Int64, plan: String)]
        let currency: String
        let from: Int64
        let to: Int64

        /// The plans in force at some moment of the period, in order.
        var plansDuringPeriod: [String] {
            plans.indices.filter { index in
                plans[index].from < to && (index + 1 == plans.count || plans[index + 1].from > from)
            }.map { plans[$0].plan }
        }
    }

    /// What the calls of the period came to.
    struct Result {
        /// Per account with a plan: its invoice.
        var invoices: [String: Invoice] = [:]
        /// Per account without a plan (or not in `billing.account`): its calls, reported, not invoiced.
        var callsWithoutPlan: [String: Int64] = [:]
        /// Calls that name no account at all.
        var callsWithoutAccount: Int64 = 0
    }

    let connection: Connection
    let plans: [String: RatingPlan]

    /// Rates the calls starting in [from, to) (the widest bounds of the accounts' zones); calls of
    /// an account outside its own bounds, and of accounts in `skip`, are left out. With `only`, just that account.
    func rate(
        from: Int64, to: Int64, accounts: [String: Account], defaultBounds: (Int64, Int64), only: String?,
        skip: Set<String>
    ) throws -> Result {
        let planList = Array(plans.values)
        var sums = PeriodSums(
            accounts: accounts,
            planIndex: Dictionary(uniqueKeysWithValues: planList.enumerated().map { ($1.name, $0) }),
            skip: skip, defaultBounds: defaultBounds)
        let accountFilter = only.map { " AND account = \(Self.literal($0))" } ?? ""
        try connection.copyOut(
            """
            COPY (SELECT account, destination, \(SQLTime.micros("start_time")), billable_s, disposition = 'answered'
                  FROM cdr.call
                  WHERE start_time >= \(SQLTime.timestamp(String(from))) AND start_time < \(SQLTime.timestamp(String(to)))
                  \(accountFilter)) TO STDOUT
            """
        ) { row in
            var fields = CopyCursor(row)
            let name = fields.text()
            let destination = fields.bytes()
            let start = fields.int()
            let billable = fields.int()
            let answered = fields.bool()
            guard let name else {
                sums.callsWithoutAccount += 1
                return
            }
            let slot = sums.slot(for: name)
            guard sums.takes(slot, start: start) else { return }
            guard let plan = sums.plan(slot, at: start) else {
                sums.countWithoutPlan(slot)
                return
            }
            guard answered, billable > 0 else {
                sums.countUnanswered(slot)
                return
            }
            guard let rate = planList[plan].rateIndex(destination: destination, at: start) else {
                sums.add(InvoiceFigures(calls: 1, billableSeconds: billable, billedSeconds: 0, amount: 0), slot, nil)
                return
            }
            sums.add(
                Rating.charged(billableSeconds: billable, rate: planList[plan].rate(at: rate)), slot, plan << 32 | rate)
        }
        return sums.result { key in
            key.map { .tariff(planList[$0 >> 32].rate(at: $0 & 0xFFFF_FFFF).description) } ?? .unrated
        }
    }

    /// A SQL string literal (COPY takes no parameters).
    static func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
}

/// Reads the tab-separated fields of one text COPY row in order (the row PeriodRating selects:
/// `\N` is NULL; text is taken as it is, since accounts and numbers carry no tabs or backslashes).
private struct CopyCursor {
    private let row: UnsafeRawBufferPointer
    private var position = 0

    init(_ row: UnsafeRawBufferPointer) { self.row = row }

    private mutating func next() -> UnsafeRawBufferPointer {
        let start = position
        while position < row.count, row[position] != 0x09, row[position] != 0x0A { position += 1 }
        defer { position += 1 }
        return UnsafeRawBufferPointer(rebasing: row[start..<position])
    }

    mutating func bytes() -> UnsafeRawBufferPointer { next() }

    mutating func text() -> String? {
        let bytes = next()
        if bytes.count == 2, bytes[0] == 0x5C, bytes[1] == UInt8(ascii: "N") { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    mutating func int() -> Int64 {
        var value: Int64 = 0
        var negative = false
        for byte in next() {
            if byte == UInt8(ascii: "-") { negative = true } else { value = value * 10 + Int64(byte &- 48) }
        }
        return negative ? -value : value
    }

    mutating func bool() -> Bool { next().first == UInt8(ascii: "t") }
}
