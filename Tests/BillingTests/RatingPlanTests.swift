import Billing
import Testing

/// Longest prefix among the rates in force at a call's start.
struct RatingPlanTests {
    private typealias F = BillingFixtures

    private let sweden = F.rate("46", "Sweden", perMinute: 1_000)
    private let mobile = F.rate("4670", "Sweden mobile", perMinute: 2_000)
    private let special = F.rate("46701", "Sweden mobile special", perMinute: 3_000)

    @Test(
        "The longest matching prefix wins; a leading + is skipped",
        arguments: [
            ("+46701234567", "46701"),
            ("+46702345678", "4670"),
            ("+46812345678", "46"),
            ("46701234567", "46701"),  // digits without +
            ("46701", "46701"),  // the number is the prefix
            ("4670", "4670"),
            ("+46 70 123", "46"),  // the digits end at the space
        ])
    func longestPrefix(destination: String, prefix: String) {
        let plan = RatingPlan(name: "business-2026", rates: [sweden, special, mobile])
        #expect(plan.rate(destination: destination, at: F.at("2026-10-10"))?.prefix == prefix)
    }

    @Test(
        "No matching prefix: no rate",
        arguments: ["+4512345678", "+4", "0046701234567", "", "+", "alice", "sip:46701@example.com"])
    func noMatch(destination: String) {
        let plan = RatingPlan(name: "business-2026", rates: [sweden, special, mobile])
        #expect(plan.rate(destination: destination, at: F.at("2026-10-10")) == nil)
    }

    @Test("A change of tariff mid-month: the version in force at the call's start")
    func validity() {
        let october = F.rate("4670", "Sweden mobile", perMinute: 1_800, from: "2026-10-15")
        let november = F.rate("46701", "Sweden mobile special", perMinute: 3_000, from: "2026-11-01T00:00:00+01:00")
        let plan = RatingPlan(name: "business-2026", rates: [october, november, sweden, mobile])
        let number = "+46701234567"
        #expect(plan.rate(destination: number, at: F.at("2025-12-31T23:59:59Z")) == nil)
        #expect(plan.rate(destination: number, at: F.at("2026-01-01")) == mobile)
        #expect(plan.rate(destination: number, at: F.at("2026-10-14T23:59:59Z")) == mobile)
        #expect(plan.rate(destination: number, at: F.at("2026-10-15")) == october)
        // 2026-11-01T00:00:00+01:00 is 2026-10-31T23:00:00Z
        #expect(plan.rate(destination: number, at: F.at("2026-10-31T22:59:59Z")) == october)
        #expect(plan.rate(destination: number, at: F.at("2026-10-31T23:00:00Z")) == november)
        // other mobile numbers keep the 4670 rate
        #expect(plan.rate(destination: "+46709999999", at: F.at("2026-12-01")) == october)
    }

    @Test("A rate of another plan is left out")
    func otherPlan() {
        let other = F.rate("4670", "Mobile (other plan)", perMinute: 1, plan: "private-2026")
        let plan = RatingPlan(name: "business-2026", rates: [sweden, other])
        #expect(plan.rate(destination: "+46701234567", at: F.at("2026-10-10")) == sweden)
    }

    @Test("Two rates for one prefix and valid_from: the later one counts")
    func repeatedVersion() {
        let correction = F.rate("46", "Sweden", perMinute: 999)
        let plan = RatingPlan(name: "business-2026", rates: [sweden, correction])
        #expect(plan.rate(destination: "+46812345678", at: F.at("2026-10-10")) == correction)
    }
}
