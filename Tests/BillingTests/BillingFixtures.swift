import Billing
import CDRModel

/// Calls and rates for the billing tests, written out in full.
enum BillingFixtures {
    /// µs since the epoch of a `YYYY-MM-DD` or ISO 8601 text (the CLI's parser, not billing code).
    static func at(_ text: String) -> Int64 {
        guard let instant = Instant.parse(text) else { fatalError("bad test time \(text)") }
        return instant
    }

    /// A call to `destination` starting at `start`, `billable` seconds long once answered.
    static func call(
        to destination: String, at start: String, billable: Int32, disposition: Disposition = .answered
    ) -> CallRecord {
        let startTime = at(start)
        let answered = disposition == .answered
        return CallRecord(
            startTime: startTime, answerTime: answered ? startTime + 5_000_000 : nil,
            endTime: startTime + 5_000_000 + Int64(billable) * 1_000_000, durationSeconds: billable + 5,
            billableSeconds: billable, source: "+46812345000", destination: destination, callType: .voice,
            disposition: disposition, account: "acme")
    }

    /// A rate of plan `plan` with amounts in minor units.
    static func rate(
        _ prefix: String, _ description: String, connectFee: Int64 = 0, perMinute: Int64,
        increments: (first: Int64, next: Int64) = (60, 60), from validFrom: String = "2026-01-01",
        plan: String = "business-2026"
    ) -> TariffRate {
        TariffRate(
            plan: plan, prefix: prefix, description: description, connectFee: connectFee, ratePerMinute: perMinute,
            firstIncrementSeconds: increments.first, incrementSeconds: increments.next, validFrom: at(validFrom))
    }
}
