import Billing

/// A line that corrects an earlier invoice's month: what the month's calls come to now for one
/// item (late calls, rates imported later) minus what was invoiced for it so far.
public struct BillingAdjustment: Sendable, Equatable {
    /// The invoice whose month it corrects.
    public let invoiceID: Int64
    /// That month, `YYYY-MM`.
    public let period: String
    /// The item, as invoice lines name it.
    public let item: String
    /// The difference.
    public let figures: InvoiceFigures

    /// Creates an adjustment.
    public init(invoiceID: Int64, period: String, item: String, figures: InvoiceFigures) {
        self.invoiceID = invoiceID
        self.period = period
        self.item = item
        self.figures = figures
    }

    /// What an adjustment line reads on the invoice.
    public var text: String { "adjustment to invoice \(invoiceID) (\(period)): \(item)" }
}

extension InvoiceFigures {
    /// These figures less `other`'s.
    func minus(_ other: InvoiceFigures) -> InvoiceFigures {
        InvoiceFigures(
            calls: calls - other.calls, billableSeconds: billableSeconds - other.billableSeconds,
            billedSeconds: billedSeconds - other.billedSeconds, amount: amount - other.amount)
    }
}
