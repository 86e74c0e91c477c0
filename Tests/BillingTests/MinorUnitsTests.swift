import Billing
import Feeds
import Testing

/// Exact decimal amounts: what converts, what is refused, and the text written back.
struct MinorUnitsTests {
    @Test(
        "Decimals with 0 to 4 places convert exactly to 1/10000",
        arguments: [
            ("0.0150", 150),  // 0.0150 × 10000
            ("1", 10_000),  // 1 × 10000
            ("12.5", 125_000),  // 12.5 × 10000
            ("0", 0),
            ("0.0001", 1),  // the smallest unit
            ("1.2345", 12_345),
            ("007.10", 71_000),  // leading zeros are only digits
            ("922337203685477.5807", 9_223_372_036_854_775_807),  // Int64.max exactly
        ] as [(String, Int64)])
    func converts(text: String, minor: Int64) throws {
        #expect(try MinorUnits.parse(text, "rate_per_minute") == minor)
    }

    @Test("A negative amount converts only where allowed")
    func negative() throws {
        #expect(try MinorUnits.parse("-1.5", "adjustment", allowingNegative: true) == -15_000)
        let refusal = #expect(throws: FieldRefusal.self) { try MinorUnits.parse("-1", "connect_fee") }
        #expect(refusal?.reason == "connect_fee '-1' is negative; it must be 0 or more")
    }

    @Test(
        "Text that is not an exact decimal of at most 4 places is refused, naming it",
        arguments: [
            ("0.00001", "rate_per_minute '0.00001' has more than 4 decimals; amounts are exact to 0.0001"),
            ("1.", "rate_per_minute '1.' is not a decimal amount"),
            (".5", "rate_per_minute '.5' is not a decimal amount"),
            ("1e3", "rate_per_minute '1e3' is not a decimal amount"),
            ("", "rate_per_minute '' is not a decimal amount"),
            (" 1", "rate_per_minute ' 1' is not a decimal amount"),
            ("1,5", "rate_per_minute '1,5' is not a decimal amount"),
            ("+1", "rate_per_minute '+1' is not a decimal amount"),
            ("0x10", "rate_per_minute '0x10' is not a decimal amount"),
            ("922337203685477.5808", "rate_per_minute '922337203685477.5808' is too large"),
            ("99999999999999999999", "rate_per_minute '99999999999999999999' is too large"),
        ])
    func refused(text: String, reasonStart: String) {
        let refusal = #expect(throws: FieldRefusal.self) { try MinorUnits.parse(text, "rate_per_minute") }
        #expect(refusal?.reason.hasPrefix(reasonStart) == true, "\(refusal?.reason ?? "no refusal")")
    }

    @Test("Two minus signs are refused even where negatives are allowed")
    func doubleMinus() {
        #expect(throws: FieldRefusal.self) { try MinorUnits.parse("--1", "adjustment", allowingNegative: true) }
    }

    @Test(
        "Amounts are written with exactly 4 decimals",
        arguments: [
            (12_345, "1.2345"),
            (150, "0.0150"),
            (0, "0.0000"),
            (-150, "-0.0150"),
            (10_000, "1.0000"),
            (-12_340_000, "-1234.0000"),
            (Int64.max, "922337203685477.5807"),
            (Int64.min, "-922337203685477.5808"),
        ] as [(Int64, String)])
    func text(minor: Int64, text: String) {
        #expect(MinorUnits.text(minor) == text)
    }
}
