import CDRModel
import Testing

/// E.164 normalisation of party identifiers: only when certain, everything else kept verbatim.
struct NumberNormaliserTests {
    private let swedish = NumberNormaliser(countryCode: "46")
    private let unknownCountry = NumberNormaliser(countryCode: nil)

    @Test(
        "A leading + is E.164 already; separators are dropped",
        arguments: [
            ("+46701234567", "+46701234567"),
            ("+46 70 123 45 67", "+46701234567"),
            ("+46-70-123-45-67", "+46701234567"),
            ("+46.70.123.45.67", "+46701234567"),
            ("+46 (70) 123 45 67", "+46701234567"),
            ("+1 (212) 555-0100", "+12125550100"),
            ("+44 20 7946 0000", "+442079460000"),
        ])
    func plusPrefix(input: String, expected: String) {
        #expect(swedish.normalise(input) == expected)
        #expect(unknownCountry.normalise(input) == expected)
    }

    @Test(
        "The international prefix 00 becomes +",
        arguments: [
            ("0046701234567", "+46701234567"),
            ("0046 8 123 456 78", "+46812345678"),
            ("00-44-20-7946-0000", "+442079460000"),
            ("0012125550100", "+12125550100"),
        ])
    func internationalPrefix(input: String, expected: String) {
        #expect(swedish.normalise(input) == expected)
        #expect(unknownCountry.normalise(input) == expected)
    }

    @Test(
        "The national prefix 0 becomes the country code when one is configured",
        arguments: [
            ("0701234567", "+46701234567"),
            ("070-123 45 67", "+46701234567"),
            ("070.123.45.67", "+46701234567"),
            ("08 123 456 78", "+46812345678"),
            ("08-(123) 456 78", "+46812345678"),
        ])
    func nationalPrefix(input: String, expected: String) {
        #expect(swedish.normalise(input) == expected)
    }

    @Test(
        "README: brackets are ignored, also when the number starts with one",
        arguments: [
            ("(08) 123 456 78", "+46812345678"),
            ("(070) 123 45 67", "+46701234567"),
        ])
    func leadingBracket(input: String, expected: String) {
        #expect(swedish.normalise(input) == expected)
    }

    @Test(
        "Without a country code a national number is kept as written",
        arguments: ["0701234567", "070-123 45 67", "08 123 456 78"])
    func nationalWithoutCountryCode(input: String) {
        #expect(unknownCountry.normalise(input) == input)
    }

    @Test(
        "Extensions, service names, SIP URIs and other non-numbers are kept verbatim",
        arguments: [
            "1001", "100", "s", "anonymous", "Anonymous", "unknown", "", "sip:alice@example.com",
            "sip:+46701234567@example.com", "alice", "*97", "#31#0701234567", "0701234567#", "070 123 45 67 ext 5",
            "46+701234567", "++46701234567", "+46 70 123/45 67", "tel:+46701234567", "0",
        ])
    func keptVerbatim(input: String) {
        #expect(swedish.normalise(input) == input)
        #expect(unknownCountry.normalise(input) == input)
    }

    @Test(
        "Fewer than 8 or more than 15 international digits are kept verbatim",
        arguments: [
            "+4670123",  // 7 digits
            "004670123",  // 7 digits after 00
            "+4670123456789012",  // 16 digits
            "004670123456789012",  // 16 digits after 00
            "07012345678901234",  // 46 + 16 = 18 digits
            "+0701234567",  // a country code never starts with 0
            "000701234567",  // 00 then 0: not a country code
            "+",
            "00",
        ])
    func outOfRangeLengths(input: String) {
        #expect(swedish.normalise(input) == input)
    }

    @Test("The length boundaries 8 and 15 digits are accepted")
    func lengthBoundaries() {
        #expect(swedish.normalise("+4670123") == "+4670123")  // 7: kept
        #expect(swedish.normalise("+46701234") == "+46701234")  // 8: accepted (unchanged text, but E.164)
        #expect(swedish.normalise("+46 701 234") == "+46701234")  // 8 with separators: proves it was accepted
        #expect(swedish.normalise("+46 7012 3456 7890 1") == "+467012345678901")  // 15
        #expect(swedish.normalise("+46 7012 3456 7890 12") == "+46 7012 3456 7890 12")  // 16: kept
        #expect(swedish.normalise("070 123 4") == "+46701234")  // national: 46 + 6 digits = 8
        #expect(swedish.normalise("070 123") == "070 123")  // national: 46 + 5 digits = 7
    }

    @Test("00 is taken as the international prefix before 0 as the national prefix")
    func internationalBeforeNational() {
        #expect(swedish.normalise("00358401234567") == "+358401234567")
    }

    @Test("Other prefixes can be configured")
    func otherPrefixes() {
        let northAmerica = NumberNormaliser(countryCode: "1", internationalPrefix: "011", nationalPrefix: "1")
        #expect(northAmerica.normalise("011 46 70 123 45 67") == "+46701234567")
        #expect(northAmerica.normalise("1 212 555 0100") == "+12125550100")
        #expect(northAmerica.normalise("212 555 0100") == "212 555 0100")
    }

    @Test(
        "Country codes are 1 to 3 digits not starting with 0",
        arguments: [
            ("46", true), ("1", true), ("358", true), ("999", true), ("", false), ("0", false), ("046", false),
            ("4600", false), ("+46", false), ("4a", false), (" 46", false), ("٤٦", false),
        ])
    func countryCodeValidation(code: String, valid: Bool) {
        #expect(NumberNormaliser.isValidCountryCode(code) == valid)
    }
}
