/// What rating made of one call: the rate applied, the seconds billed and the amount.
public struct RatedCall: Sendable, Hashable {
    /// How a call came out of rating.
    public enum Outcome: Sendable, Hashable {
        /// Answered and priced by this rate.
        case charged(TariffRate)
        /// Not answered: nothing billed, no connect fee.
        case unanswered
        /// Answered, but no prefix of the plan in force at its start matches its destination: amount 0.
        case unrated
    }

    /// How the call came out.
    public var outcome: Outcome
    /// The call's billable seconds as recorded (answer to end).
    public var billableSeconds: Int64
    /// The seconds charged after the first increment and rounding up to increments; 0 unless charged.
    public var billedSeconds: Int64
    /// What the call costs in minor units; 0 unless charged.
    public var amount: Int64

    /// Creates a rated call.
    public init(outcome: Outcome, billableSeconds: Int64, billedSeconds: Int64, amount: Int64) {
        self.outcome = outcome
        self.billableSeconds = billableSeconds
        self.billedSeconds = billedSeconds
        self.amount = amount
    }
}
