import CDRModel
import Testing

/// Parsing and printing of IPv4 and IPv6 addresses.
struct IPAddressTests {
    @Test(
        "IPv4 dotted quads",
        arguments: [
            ("192.0.2.1", [192, 0, 2, 1] as [UInt8]), ("0.0.0.0", [0, 0, 0, 0]),
            ("255.255.255.255", [255, 255, 255, 255]),
            ("10.20.30.40", [10, 20, 30, 40]),
        ])
    func ipv4(text: String, bytes: [UInt8]) throws {
        let address = try #require(IPAddress(text))
        #expect(address.bytes == bytes)
        #expect(address.description == text)
    }

    @Test(
        "Invalid IPv4 text is refused",
        arguments: [
            "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "1..2.3", ".1.2.3", "1.2.3.", "a.b.c.d", "1.2.3.4a",
            "1.2.3.-4", "1.2.3.+4", "+1.2.3.4", "1.2.3.0004", " 1.2.3.4", "1.2.3.4 ", "1,2,3,4", "١.٢.٣.٤",
        ])
    func invalidIPv4(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test(
        "IPv6 with and without ::",
        arguments: [
            ("::", [UInt8](repeating: 0, count: 16)),
            ("::1", [UInt8](repeating: 0, count: 15) + [1]),
            ("1::", [0, 1] + [UInt8](repeating: 0, count: 14)),
            ("2001:db8::1", [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [1]),
            ("2001:DB8:0:0:0:0:0:1", [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [1]),
            (
                "1:2:3:4:5:6:7:8",
                [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]
            ),
            (
                "fe80::abcd:ef01",
                [0xFE, 0x80] + [UInt8](repeating: 0, count: 10) + [0xAB, 0xCD, 0xEF, 0x01]
            ),
            ("1:2:3:4:5:6:7::", [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0]),
            ("::2:3:4:5:6:7:8", [0, 0, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]),
            (
                "ffff:0fff:00ff:000f::",
                [0xFF, 0xFF, 0x0F, 0xFF, 0x00, 0xFF, 0x00, 0x0F] + [UInt8](repeating: 0, count: 8)
            ),
        ])
    func ipv6(text: String, bytes: [UInt8]) throws {
        let address = try #require(IPAddress(text))
        #expect(address.bytes == bytes)
    }

    @Test("IPv6 with an embedded IPv4 tail")
    func embeddedIPv4() throws {
        let mapped = try #require(IPAddress("::ffff:192.0.2.1"))
        #expect(mapped.bytes == [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF, 192, 0, 2, 1])
        let nat64 = try #require(IPAddress("64:ff9b::198.51.100.7"))
        #expect(nat64.bytes == [0, 0x64, 0xFF, 0x9B] + [UInt8](repeating: 0, count: 8) + [198, 51, 100, 7])
        let full = try #require(IPAddress("1:2:3:4:5:6:10.0.0.1"))
        #expect(full.bytes == [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 10, 0, 0, 1])
        let compatible = try #require(IPAddress("::1.2.3.4"))
        #expect(compatible.bytes == [UInt8](repeating: 0, count: 12) + [1, 2, 3, 4])
    }

    @Test(
        "Invalid IPv6 text is refused",
        arguments: [
            ":", ":::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::", "::g", ":1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7:", "::1:", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "1::2:3:4:5:6:7:8", "::ffff:1.2.3",
            "::ffff:1.2.3.256", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.4:5", "1.2.3.4::", "1.2.3.4::5", "1:+2::", "::-1",
            "fe80::1%eth0", "[::1]", "1 ::2",
        ])
    func invalidIPv6(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test(
        "IPv6 text form: lower case, no leading zeros, the longest run of zero groups (the first on a tie) as ::",
        arguments: [
            ("0:0:0:0:0:0:0:0", "::"), ("0:0:0:0:0:0:0:1", "::1"), ("1:0:0:0:0:0:0:0", "1::"),
            ("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"), ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
            ("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"), ("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"),
            ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"), ("1:2:3:4:5:6:0:0", "1:2:3:4:5:6::"),
            ("0:0:1:2:3:4:5:6", "::1:2:3:4:5:6"), ("fe80:0:0:0:0:0:0:ABCD", "fe80::abcd"),
            ("0:1:0:1:0:1:0:1", "0:1:0:1:0:1:0:1"),
        ])
    func ipv6Description(text: String, expected: String) throws {
        let address = try #require(IPAddress(text))
        #expect(address.description == expected)
        #expect(IPAddress(expected) == address)
    }

    @Test("The text form of every address parses back to the same bytes")
    func descriptionRoundTrip() throws {
        var generator = SplitMix(seed: 7)
        for _ in 0..<2_000 {
            // Mostly zero groups, so that runs of zeros of every length and position occur.
            let bytes = (0..<8).flatMap { _ -> [UInt8] in
                generator.next() % 3 == 0 ? [UInt8(truncatingIfNeeded: generator.next()), 0x01] : [0, 0]
            }
            let address = try #require(IPAddress(bytes: bytes))
            #expect(IPAddress(address.description) == address, "\(address.description)")
            #expect(!address.description.contains(":::"))
            #expect(address.description.components(separatedBy: "::").count <= 2)
        }
    }

    @Test("init(bytes:) takes 4 or 16 bytes only")
    func fromBytes() {
        #expect(IPAddress(bytes: [127, 0, 0, 1])?.description == "127.0.0.1")
        #expect(IPAddress(bytes: [UInt8](repeating: 0, count: 16))?.description == "::")
        #expect(IPAddress(bytes: []) == nil)
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
        #expect(IPAddress(bytes: [UInt8](repeating: 0, count: 5)) == nil)
        #expect(IPAddress(bytes: [UInt8](repeating: 0, count: 15)) == nil)
    }

    @Test("Equality is by bytes, whatever the text")
    func equality() {
        #expect(IPAddress("2001:db8::1") == IPAddress("2001:0DB8:0:0:0:0:0:0001"))
        #expect(IPAddress("::ffff:192.0.2.1") == IPAddress("::ffff:c000:201"))
        #expect(IPAddress("192.0.2.1") != IPAddress("::ffff:192.0.2.1"))
        #expect(Set([IPAddress("::1")!, IPAddress("0::1")!]).count == 1)
    }
}

/// A tiny deterministic generator for test inputs.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
