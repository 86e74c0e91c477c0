/// The pure content of one account's invoice for one period: lines, totals, and the calls not charged.
public struct Invoice: Sendable, Hashable {
    /// One line per tariff description in description order, then the unrated line if any call was unrated.
    public var lines: [InvoiceLine]
    /// The sums of all lines.
    public var totals: InvoiceFigures
    /// Calls not answered: on no line, never charged.
    public var unansweredCalls: Int64

    /// Creates an invoice.
    public init(lines: [InvoiceLine], totals: InvoiceFigures, unansweredCalls: Int64) {
        self.lines = lines
        self.totals = totals
        self.unansweredCalls = unansweredCalls
    }
}
