import Billing
import CDRModel
import Testing

/// One call priced by one rate: increments, connect fee, unanswered and unrated calls. Every
/// expected figure is worked out by hand in the comment beside it.
struct RatingTests {
    private typealias F = BillingFixtures

    private func rated(
        _ billable: Int32, _ rate: TariffRate?, disposition: Disposition = .answered
    ) -> RatedCall {
        Rating.rate(
            call: F.call(to: "+46701234567", at: "2026-10-10T12:00:00Z", billable: billable, disposition: disposition),
            rate: rate)
    }

    @Test(
        "60/60 at 0.1500 a minute plus a 0.0500 connect fee",
        arguments: [
            (1, 60, 2_000),  // 60 s in full; 500 + 1500 × 60 / 60 = 500 + 1500
            (60, 60, 2_000),  // exactly the first increment
            (61, 120, 3_500),  // 60 + ceil(1/60) × 60 = 120 s; 500 + 1500 × 120 / 60 = 500 + 3000
            (125, 180, 5_000),  // 60 + ceil(65/60) × 60 = 180 s; 500 + 1500 × 180 / 60 = 500 + 4500
        ] as [(Int32, Int64, Int64)])
    func sixtySixty(billable: Int32, billed: Int64, amount: Int64) {
        let rate = F.rate("4670", "Sweden mobile", connectFee: 500, perMinute: 1_500)
        let call = rated(billable, rate)
        #expect(
            call
                == RatedCall(
                    outcome: .charged(rate), billableSeconds: Int64(billable), billedSeconds: billed, amount: amount))
    }

    @Test(
        "30/6 at 0.0150 a minute, no connect fee",
        arguments: [
            (10, 30, 75),  // first 30 s in full; ceil(150 × 30 / 60) = 75
            (30, 30, 75),
            (31, 36, 90),  // 30 + ceil(1/6) × 6 = 36 s; 150 × 36 / 60 = 90
            (45, 48, 120),  // 30 + ceil(15/6) × 6 = 48 s; 150 × 48 / 60 = 120
            (37, 42, 105),  // 30 + ceil(7/6) × 6 = 42 s; 150 × 42 / 60 = 105
        ] as [(Int32, Int64, Int64)])
    func thirtySix(billable: Int32, billed: Int64, amount: Int64) {
        let call = rated(billable, F.rate("4670", "Sweden mobile", perMinute: 150, increments: (30, 6)))
        #expect(call.billedSeconds == billed)
        #expect(call.amount == amount)
    }

    @Test("1/1 bills each second and rounds the amount up to the next 1/10000")
    func perSecond() {
        // 0.0007 a minute, 13 s: 7 × 13 / 60 = 91 / 60 = 1.52 → 2
        let call = rated(13, F.rate("4670", "Sweden mobile", perMinute: 7, increments: (1, 1)))
        #expect(call.billedSeconds == 13)
        #expect(call.amount == 2)
    }

    @Test("A first increment that is not a whole number of increments is charged in full, then increments follow")
    func unevenFirstIncrement() {
        let rate = F.rate("4670", "Sweden mobile", perMinute: 600, increments: (45, 30))
        // 40 s: the first 45 s in full; 600 × 45 / 60 = 450
        #expect(rated(40, rate).billedSeconds == 45)
        #expect(rated(40, rate).amount == 450)
        // 50 s: 45 + ceil(5/30) × 30 = 75 s (not 60: the increments count from the end of the first one);
        // 600 × 75 / 60 = 750
        #expect(rated(50, rate).billedSeconds == 75)
        #expect(rated(50, rate).amount == 750)
    }

    @Test("With no first increment, the first second costs a whole increment")
    func noFirstIncrement() {
        // 0/60, 1 s: ceil(1/60) × 60 = 60 s; 1200 × 60 / 60 = 1200
        let call = rated(1, F.rate("46", "Sweden", perMinute: 1_200, increments: (0, 60)))
        #expect(call.billedSeconds == 60)
        #expect(call.amount == 1_200)
    }

    @Test("A free rate still charges its connect fee")
    func connectFeeOnly() {
        // 0.0100 connect fee, 0 a minute: 100 + 0
        #expect(rated(200, F.rate("46", "Sweden", connectFee: 100, perMinute: 0)).amount == 100)
    }

    @Test(
        "A call not answered, or answered for 0 s, costs nothing: no seconds, no connect fee",
        arguments: [
            (Disposition.busy, 0), (.noAnswer, 0), (.failed, 0), (.cancelled, 0), (.congestion, 0),
            (.answered, 0), (.noAnswer, 12),
        ] as [(Disposition, Int32)])
    func unanswered(disposition: Disposition, billable: Int32) {
        let rate = F.rate("4670", "Sweden mobile", connectFee: 500, perMinute: 1_500)
        #expect(
            rated(billable, rate, disposition: disposition)
                == RatedCall(outcome: .unanswered, billableSeconds: Int64(billable), billedSeconds: 0, amount: 0))
    }

    @Test("An answered call without a rate is unrated: counted with its seconds, amount 0")
    func unrated() {
        #expect(rated(42, nil) == RatedCall(outcome: .unrated, billableSeconds: 42, billedSeconds: 0, amount: 0))
    }

    @Test("An unanswered call without a rate is unanswered, not unrated")
    func unansweredWithoutRate() {
        #expect(rated(0, nil, disposition: .busy).outcome == .unanswered)
    }

    @Test("The largest tariff amount times the longest billable seconds does not overflow")
    func noOverflow() {
        // 10,000,000,000 × 604,800 / 60 = 10,000,000,000 × 10,080
        #expect(Rating.minutePrice(TariffRate.maxAmount, seconds: 604_800) == 100_800_000_000_000)
        // ceil(10,000,000,000 × 2,147,483,647 / 60) = ceil(357,913,941,166,666,666.67)
        #expect(Rating.minutePrice(TariffRate.maxAmount, seconds: Int64(Int32.max)) == 357_913_941_166_666_667)
    }
}
