/// The sums of a set of calls on an invoice: a line's or the whole invoice's.
public struct InvoiceFigures: Sendable, Hashable {
    /// Calls counted.
    public var calls: Int64 = 0
    /// Their billable seconds as recorded.
    public var billableSeconds: Int64 = 0
    /// Their billed seconds (after first increment and increments).
    public var billedSeconds: Int64 = 0
    /// Their amount in minor units.
    public var amount: Int64 = 0

    /// Figures with nothing counted yet.
    public init() {}

    /// Figures with these sums.
    public init(calls: Int64, billableSeconds: Int64, billedSeconds: Int64, amount: Int64) {
        self.calls = calls
        self.billableSeconds = billableSeconds
        self.billedSeconds = billedSeconds
        self.amount = amount
    }

    /// Counts one more rated call.
    public mutating func add(_ call: RatedCall) {
        add(
            InvoiceFigures(
                calls: 1, billableSeconds: call.billableSeconds, billedSeconds: call.billedSeconds,
                amount: call.amount))
    }

    /// Adds another set's sums to these.
    public mutating func add(_ other: InvoiceFigures) {
        calls += other.calls
        billableSeconds += other.billableSeconds
        billedSeconds += other.billedSeconds
        amount += other.amount
    }
}
