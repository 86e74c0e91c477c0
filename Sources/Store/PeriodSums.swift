import Billing

/// The running sums of one period's rated calls, per account: each account a slot found with one
/// hash lookup, and its charged calls summed per (plan, rate) so that no rate is copied per call.
struct PeriodSums {
    private struct Slot {
        /// The account's plans as indices of the rating's plan list, each from a start (µs), ascending.
        let plans: [(from: Int64, plan: Int?)]
        let skipped: Bool
        let bounds: (Int64, Int64)
        var byRate: [Int: InvoiceFigures] = [:]
        var unrated = InvoiceFigures()
        var unanswered: Int64 = 0
        var withoutPlan: Int64 = 0
    }

    private let accounts: [String: PeriodRating.Account]
    private let planIndex: [String: Int]
    private let skip: Set<String>
    private let defaultBounds: (Int64, Int64)
    private var slotOf: [String: Int] = [:]
    private var slots: [Slot] = []
    private var names: [String] = []
    /// Calls that name no account.
    var callsWithoutAccount: Int64 = 0

    /// Sums for `accounts`, whose plan names `planIndex` turns into indices.
    init(
        accounts: [String: PeriodRating.Account], planIndex: [String: Int], skip: Set<String>,
        defaultBounds: (Int64, Int64)
    ) {
        self.accounts = accounts
        self.planIndex = planIndex
        self.skip = skip
        self.defaultBounds = defaultBounds
    }

    /// The slot of account `name`, made on first sight.
    mutating func slot(for name: String) -> Int {
        if let slot = slotOf[name] { return slot }
        let account = accounts[name]
        slots.append(
            Slot(
                plans: account?.plans.map { ($0.from, planIndex[$0.plan]) } ?? [], skipped: skip.contains(name),
                bounds: account.map { ($0.from, $0.to) } ?? defaultBounds))
        names.append(name)
        slotOf[name] = slots.count - 1
        return slots.count - 1
    }

    /// Whether a call of the slot's account starting at `start` belongs to this run.
    func takes(_ slot: Int, start: Int64) -> Bool {
        !slots[slot].skipped && start >= slots[slot].bounds.0 && start < slots[slot].bounds.1
    }

    /// The index of the plan the slot's account is on at `start`, if it is on one that has rates.
    func plan(_ slot: Int, at start: Int64) -> Int? {
        let plans = slots[slot].plans
        if plans.count == 1 { return plans[0].from <= start ? plans[0].plan : nil }
        return plans.last { $0.from <= start }?.plan ?? nil
    }

    mutating func countWithoutPlan(_ slot: Int) { slots[slot].withoutPlan += 1 }

    mutating func countUnanswered(_ slot: Int) { slots[slot].unanswered += 1 }

    /// Adds a rated call's figures: to its rate's sums (`key`), or to the unrated line (nil).
    mutating func add(_ figures: InvoiceFigures, _ slot: Int, _ key: Int?) {
        if let key {
            slots[slot].byRate[key, default: InvoiceFigures()].add(figures)
        } else {
            slots[slot].unrated.add(figures)
        }
    }

    /// The invoices and counts; `item` names the line of a rate key.
    func result(item: (Int?) -> InvoiceLine.Item) -> PeriodRating.Result {
        var result = PeriodRating.Result()
        result.callsWithoutAccount = callsWithoutAccount
        for (index, slot) in slots.enumerated() {
            if slot.withoutPlan > 0 { result.callsWithoutPlan[names[index]] = slot.withoutPlan }
            guard slot.unanswered > 0 || slot.unrated.calls > 0 || !slot.byRate.isEmpty else { continue }
            var builder = InvoiceBuilder()
            for (key, figures) in slot.byRate { builder.add(figures, to: item(key)) }
            if slot.unrated.calls > 0 { builder.add(slot.unrated, to: item(nil)) }
            builder.addUnanswered(slot.unanswered)
            result.invoices[names[index]] = builder.invoice
        }
        return result
    }
}
