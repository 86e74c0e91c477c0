/// Sums rated calls of one account and period into an invoice; the order calls come in does not
/// change the result.
public struct InvoiceBuilder: Sendable {
    private var lines: [InvoiceLine.Item: InvoiceFigures] = [:]
    private var unansweredCalls: Int64 = 0

    /// A builder with no calls.
    public init() {}

    /// Counts one call: on its description's line when charged, on the unrated line when unrated,
    /// among the unanswered calls otherwise.
    public mutating func add(_ call: RatedCall) {
        switch call.outcome {
        case .charged(let rate): lines[.tariff(rate.description), default: InvoiceFigures()].add(call)
        case .unrated: lines[.unrated, default: InvoiceFigures()].add(call)
        case .unanswered: unansweredCalls += 1
        }
    }

    /// Adds the summed figures of calls already rated onto `item`'s line.
    public mutating func add(_ figures: InvoiceFigures, to item: InvoiceLine.Item) {
        lines[item, default: InvoiceFigures()].add(figures)
    }

    /// Counts calls that were not answered.
    public mutating func addUnanswered(_ calls: Int64) { unansweredCalls += calls }

    /// The invoice of the calls added so far.
    public var invoice: Invoice {
        let ordered = lines.sorted { $0.key < $1.key }.map { InvoiceLine(item: $0.key, figures: $0.value) }
        var totals = InvoiceFigures()
        for line in ordered { totals.add(line.figures) }
        return Invoice(lines: ordered, totals: totals, unansweredCalls: unansweredCalls)
    }
}
