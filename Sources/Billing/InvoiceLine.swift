/// One line of an invoice: the calls of one tariff description, or the calls no tariff matched.
public struct InvoiceLine: Sendable, Hashable {
    /// What a line counts.
    public enum Item: Sendable, Hashable, Comparable {
        /// Charged calls whose rate has this description.
        case tariff(String)
        /// Answered calls that no prefix of the plan matched: counted, amount 0.
        case unrated
    }

    /// What the line counts.
    public var item: Item
    /// The line's figures.
    public var figures: InvoiceFigures

    /// Creates a line.
    public init(item: Item, figures: InvoiceFigures) {
        self.item = item
        self.figures = figures
    }
}
