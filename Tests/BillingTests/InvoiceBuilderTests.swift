import Billing
import CDRModel
import Testing

/// A month of one account's calls, rated and summed; every figure worked out by hand.
struct InvoiceBuilderTests {
    private typealias F = BillingFixtures

    /// Sweden fixed 46: 0.1000 a minute, 60/60. Sweden mobile 4670: 0.0100 connect fee, 30/6,
    /// 0.2000 a minute until 15 October, 0.1800 from then.
    private let plan = RatingPlan(
        name: "business-2026",
        rates: [
            F.rate("46", "Sweden fixed", perMinute: 1_000),
            F.rate("4670", "Sweden mobile", connectFee: 100, perMinute: 2_000, increments: (30, 6)),
            F.rate("4670", "Sweden mobile", connectFee: 100, perMinute: 1_800, increments: (30, 6), from: "2026-10-15"),
        ])

    private let october = [
        F.call(to: "+46812345678", at: "2026-10-03T09:00:00Z", billable: 61),
        F.call(to: "+46812345679", at: "2026-10-20T09:00:00Z", billable: 60),
        F.call(to: "+46701234567", at: "2026-10-10T09:00:00Z", billable: 31),
        F.call(to: "+46701234567", at: "2026-10-20T09:00:00Z", billable: 31),
        F.call(to: "+46709999999", at: "2026-10-21T09:00:00Z", billable: 0, disposition: .busy),
        F.call(to: "+4512345678", at: "2026-10-05T09:00:00Z", billable: 100),
        F.call(to: "+4512345678", at: "2026-10-06T09:00:00Z", billable: 0, disposition: .noAnswer),
    ]

    private func invoice(_ calls: some Sequence<CallRecord>) -> Invoice {
        var builder = InvoiceBuilder()
        for call in calls {
            builder.add(Rating.rate(call: call, rate: plan.rate(destination: call.destination, at: call.startTime)))
        }
        return builder.invoice
    }

    @Test("One line per description in order, the unrated line last, totals, unanswered calls apart")
    func month() {
        #expect(
            invoice(october)
                == Invoice(
                    lines: [
                        // 61 s → 120 s: 1000 × 120 / 60 = 2000; 60 s → 60 s: 1000. 2 calls, 121 s, 180 s, 3000
                        InvoiceLine(
                            item: .tariff("Sweden fixed"),
                            figures: InvoiceFigures(calls: 2, billableSeconds: 121, billedSeconds: 180, amount: 3_000)),
                        // 10 Oct, 31 s → 30 + 6 = 36 s: 100 + 2000 × 36 / 60 = 100 + 1200 = 1300
                        // 20 Oct, 31 s → 36 s at the new price: 100 + 1800 × 36 / 60 = 100 + 1080 = 1180
                        // 2 calls, 62 s, 72 s, 1300 + 1180 = 2480
                        InvoiceLine(
                            item: .tariff("Sweden mobile"),
                            figures: InvoiceFigures(calls: 2, billableSeconds: 62, billedSeconds: 72, amount: 2_480)),
                        // +45 is in no prefix: counted with its 100 s, nothing billed
                        InvoiceLine(
                            item: .unrated,
                            figures: InvoiceFigures(calls: 1, billableSeconds: 100, billedSeconds: 0, amount: 0)),
                    ],
                    // 2 + 2 + 1 calls; 121 + 62 + 100 s; 180 + 72 + 0 s; 3000 + 2480 + 0
                    totals: InvoiceFigures(calls: 5, billableSeconds: 283, billedSeconds: 252, amount: 5_480),
                    unansweredCalls: 2))
    }

    @Test("Billing the same calls again, in any order, gives the identical invoice")
    func repeatable() {
        #expect(invoice(october) == invoice(october.reversed()))
        #expect(invoice(october) == invoice(october))
    }

    @Test("No calls: no lines, zero totals")
    func empty() {
        #expect(invoice([]) == Invoice(lines: [], totals: InvoiceFigures(), unansweredCalls: 0))
    }
}
