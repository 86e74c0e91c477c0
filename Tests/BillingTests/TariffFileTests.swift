import Billing
import Testing

/// Tariff files: what is read, and each problem named by its line, nothing partial.
struct TariffFileTests {
    private typealias F = BillingFixtures
    private let header = "plan,prefix,description,connect_fee,rate_per_minute,first_increment_s,increment_s,valid_from"

    private func problems(_ text: String) -> [String] {
        let refusal = #expect(throws: TariffFileRefusal.self) { try TariffFile.parse(Array(text.utf8)) }
        return refusal?.problems.map(\.description) ?? []
    }

    @Test("Every row becomes a rate, amounts in minor units, times in µs")
    func reads() throws {
        let text = """
            \u{FEFF}\(header),currency\r
            business-2026,+46,Sweden,0,0.1000,60,60,2026-01-01,SEK\r
            business-2026,4670,"Sweden mobile, all operators",0.05,0.1500,30,6,2026-10-15T00:00:00+02:00,SEK\r
            private-2026,1,"North America \"\"NANP\"\"",0.0010,0.0150,1,1,2026-01-01,\r

            """
        let rates = try TariffFile.parse(Array(text.utf8))
        #expect(
            rates == [
                TariffRate(
                    plan: "business-2026", prefix: "46", description: "Sweden", connectFee: 0,
                    ratePerMinute: 1_000,  // 0.1000 × 10000
                    firstIncrementSeconds: 60, incrementSeconds: 60, validFrom: F.at("2026-01-01"), currency: "SEK"),
                TariffRate(
                    plan: "business-2026", prefix: "4670", description: "Sweden mobile, all operators",
                    connectFee: 500,  // 0.05 × 10000
                    ratePerMinute: 1_500, firstIncrementSeconds: 30, incrementSeconds: 6,
                    validFrom: F.at("2026-10-14T22:00:00Z"), currency: "SEK"),
                TariffRate(
                    plan: "private-2026", prefix: "1", description: "North America \"NANP\"", connectFee: 10,
                    ratePerMinute: 150, firstIncrementSeconds: 1, incrementSeconds: 1, validFrom: F.at("2026-01-01"),
                    currency: nil),
            ])
    }

    @Test("Columns are found by name, in any order; the last line needs no newline")
    func columnOrder() throws {
        let text = """
            valid_from,increment_s,first_increment_s,rate_per_minute,connect_fee,description,prefix,plan
            2026-01-01,60,60,0.1,0,Sweden,46,business-2026
            """
        #expect(try TariffFile.parse(Array(text.utf8)) == [F.rate("46", "Sweden", perMinute: 1_000)])
    }

    @Test("Each bad field is named with its line; no rate is returned")
    func badFields() {
        let text = """
            \(header)
            business-2026,46,Sweden,0,0.1000,60,60,2026-01-01
            business-2026,4670,Sweden mobile,0,0.00001,30,6,2026-01-01
            business-2026,4670,Sweden mobile,0,ten,30,6,2026-01-01
            business-2026,4670,Sweden mobile,0,0.1500,30,-6,2026-01-01
            business-2026,,Sweden other,0,0.1500,30,6,2026-01-01
            business-2026,46-8,Stockholm,0,0.1500,30,0,2026-01-01
            business-2026,4631,Gothenburg,-0.01,0.1500,30,6,2026-13-01
            ,4640,,1000000.0001,0.1,1.5,6,2026-01-01,
            business-2026,4650,Malmo,0,0.1,60,60,2026-01-01,SEK
            """
        #expect(
            problems(text) == [
                "line 3: rate_per_minute '0.00001' has more than 4 decimals; amounts are exact to 0.0001",
                "line 4: rate_per_minute 'ten' is not a decimal amount; write digits with an optional point and up to 4 decimals, such as 0.0150",
                "line 5: increment_s '-6' is negative; it must be from 1 to 86400",
                "line 6: prefix is empty; write the leading digits of the destinations, such as +4670",
                "line 7: prefix '46-8' is not digits (with an optional + first), such as +4670",
                "line 7: increment_s 0 is out of range; it must be from 1 to 86400 seconds",
                "line 8: connect_fee '-0.01' is negative; it must be 0 or more",
                "line 8: valid_from '2026-13-01' is not a date YYYY-MM-DD (midnight UTC) or a time such as 2026-10-01T00:00:00Z",
                "line 9: the line has 9 fields but the header names 8 columns; check for a missing or extra comma",
                "line 10: the line has 9 fields but the header names 8 columns; check for a missing or extra comma",
            ])
    }

    @Test("Empty fields, an over-large amount and a fractional increment are each named")
    func moreBadFields() {
        let text = """
            \(header),currency
            ,4640,,1000000.0001,0.1,1.5,6,2026-01-01,sek
            """
        #expect(
            problems(text) == [
                "line 2: plan is empty; every rate needs the name of its plan",
                "line 2: description is empty; it names the invoice line of these calls",
                "line 2: connect_fee '1000000.0001' is more than 1000000.0000, the largest amount a tariff may give",
                "line 2: first_increment_s '1.5' is not a whole number of seconds from 0 to 86400",
                "line 2: currency 'sek' is not a three-letter ISO 4217 code in capitals, such as SEK",
            ])
    }

    @Test("A repeated (plan, prefix, valid_from) is refused, naming the first line; +46 and 46 are one prefix")
    func duplicates() {
        let text = """
            \(header)
            business-2026,+46,Sweden,0,0.1000,60,60,2026-01-01
            business-2026,4670,Sweden mobile,0,0.2000,60,60,2026-01-01
            private-2026,46,Sweden,0,0.1000,60,60,2026-01-01
            business-2026,46,Sweden,0,0.0900,60,60,2026-01-01T00:00:00Z
            business-2026,46,Sweden,0,0.0900,60,60,2026-02-01
            """
        #expect(
            problems(text) == [
                "line 5: plan 'business-2026' already has a rate for prefix 46 from the same valid_from on line 2; keep one of them"
            ])
    }

    @Test("A plan has one currency")
    func oneCurrencyPerPlan() {
        let text = """
            \(header),currency
            business-2026,46,Sweden,0,0.1000,60,60,2026-01-01,SEK
            business-2026,45,Denmark,0,0.1000,60,60,2026-01-01,EUR
            business-2026,47,Norway,0,0.1000,60,60,2026-01-01,
            private-2026,45,Denmark,0,0.1000,60,60,2026-01-01,EUR
            """
        #expect(
            problems(text) == [
                "line 3: plan 'business-2026' is in SEK on line 2 but this line is in EUR; a plan has one currency",
                "line 4: plan 'business-2026' is in SEK on line 2 but this line is in the account's currency; a plan has one currency",
            ])
    }

    @Test("A header with a missing, unknown or repeated column is refused on line 1")
    func badHeader() {
        let hint =
            "its first line must name the columns: plan,prefix,description,connect_fee,rate_per_minute,first_increment_s,increment_s,valid_from,[currency]"
        #expect(
            problems("plan,prefix,description,connect_fee,rate,first_increment_s,increment_s,valid_from,plan\n") == [
                "line 1: the header line is wrong: 'rate' is not a column name; column plan is named twice; column rate_per_minute is missing; \(hint)"
            ])
        #expect(
            problems("business-2026,46,Sweden,0,0.1000,60,60,2026-01-01\n").first?.hasPrefix(
                "line 1: the header line is wrong: 'business-2026' is not a column name;") == true)
        #expect(
            problems("plan,prefix,description,connect_fee,valid_from\n") == [
                "line 1: the header line is wrong: columns rate_per_minute, first_increment_s, increment_s are missing; \(hint)"
            ])
        #expect(problems("") == ["line 1: the file is empty; \(hint)"])
    }

    @Test("A header without rates is refused")
    func noRates() {
        #expect(problems("\(header)\n\n") == ["line 1: the file holds no rates after its header line"])
    }

    @Test("CSV that cannot be read names the line where it breaks; the lines counted after a quoted newline are right")
    func brokenCSV() {
        let text = """
            \(header)
            business-2026,46,"Sweden
            all",0,0.1000,60,60,2026-01-01
            business-2026,47,"Norway"x,0,0.1000,60,60,2026-01-01
            business-2026,48,Poland,0,0.1000,60,60,2026-01-01
            business-2026,49,"Germany,0,0.1000,60,60,2026-01-01

            """
        #expect(
            problems(text) == [
                "line 4: the line is not valid CSV: unexpected text after the closing quote of field 3",
                "line 6: a quoted field opened on this line is never closed",
            ])
    }
}
