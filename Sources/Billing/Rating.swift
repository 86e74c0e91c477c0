import CDRModel

/// Prices one call by one rate: the billing rules of the README's "Billing rules", in integers.
public enum Rating {
    /// Rates `call` by `rate` (the plan's match for its destination at its start, nil when none):
    /// unanswered when its disposition is not `answered` or it has 0 billable seconds; else unrated
    /// without a rate; else charged `connectFee + ceil(ratePerMinute × billedSeconds / 60)`.
    public static func rate(call: CallRecord, rate: TariffRate?) -> RatedCall {
        Self.rate(answered: call.disposition == .answered, billableSeconds: Int64(call.billableSeconds), rate: rate)
    }

    /// Rates a call known only by whether it was answered and its billable seconds; see `rate(call:rate:)`.
    public static func rate(answered: Bool, billableSeconds billable: Int64, rate: TariffRate?) -> RatedCall {
        guard answered, billable > 0 else {
            return RatedCall(outcome: .unanswered, billableSeconds: billable, billedSeconds: 0, amount: 0)
        }
        guard let rate else {
            return RatedCall(outcome: .unrated, billableSeconds: billable, billedSeconds: 0, amount: 0)
        }
        let charge = charged(billableSeconds: billable, rate: rate)
        return RatedCall(
            outcome: .charged(rate), billableSeconds: billable, billedSeconds: charge.billedSeconds,
            amount: charge.amount)
    }

    /// The figures of one answered call of `billable` seconds (> 0) charged by `rate`: its billed
    /// seconds and `connectFee + ceil(ratePerMinute × billedSeconds / 60)`.
    public static func charged(billableSeconds billable: Int64, rate: TariffRate) -> InvoiceFigures {
        let billed = billedSeconds(billable, rate: rate)
        return InvoiceFigures(
            calls: 1, billableSeconds: billable, billedSeconds: billed,
            amount: rate.connectFee + minutePrice(rate.ratePerMinute, seconds: billed))
    }

    /// The seconds charged for an answered call of `billable` seconds: the first increment in full,
    /// then what is left rounded up to whole increments (45 s at 30/6 → 48 s; at 60/60 → 60 s).
    public static func billedSeconds(_ billable: Int64, rate: TariffRate) -> Int64 {
        let first = rate.firstIncrementSeconds
        guard billable > first else { return first }
        let increments = (billable - first + rate.incrementSeconds - 1) / rate.incrementSeconds
        return first + increments * rate.incrementSeconds
    }

    /// `ceil(perMinute × seconds / 60)` without overflow for amounts up to `TariffRate.maxAmount`:
    /// the whole sixtieths of the rate times the seconds, plus the rest rounded up.
    public static func minutePrice(_ perMinute: Int64, seconds: Int64) -> Int64 {
        let (sixtieths, rest) = perMinute.quotientAndRemainder(dividingBy: 60)
        return sixtieths * seconds + (rest * seconds + 59) / 60
    }
}
