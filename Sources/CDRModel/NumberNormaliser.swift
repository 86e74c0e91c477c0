/// Turns party identifiers into E.164 (`+46701234567`) when the digits make that certain, and
/// leaves everything else (extensions, SIP URIs, `anonymous`) exactly as written.
///
/// Used by ingest and, later, by lookups, so that both see the same identifier.
public struct NumberNormaliser: Sendable, Equatable {
    /// The feed's country calling code without `+` (`46`), or nil when unknown.
    public let countryCode: String?
    /// The prefix that dials another country (`00` in most of the world).
    public let internationalPrefix: String
    /// The prefix of a national number (`0` in most of Europe).
    public let nationalPrefix: String

    /// Creates a normaliser; `countryCode` must be 1 to 3 digits.
    public init(countryCode: String?, internationalPrefix: String = "00", nationalPrefix: String = "0") {
        self.countryCode = countryCode
        self.internationalPrefix = internationalPrefix
        self.nationalPrefix = nationalPrefix
    }

    /// Tells whether `code` is a valid country calling code (1 to 3 digits, not starting with 0).
    public static func isValidCountryCode(_ code: String) -> Bool {
        (1...3).contains(code.utf8.count) && code.utf8.allSatisfy(isDigit) && code.utf8.first != UInt8(ascii: "0")
    }

    /// The E.164 form of `identifier` when certain, else `identifier` unchanged.
    public func normalise(_ identifier: String) -> String {
        guard let first = identifier.utf8.first, first == UInt8(ascii: "+") || isDigit(first) else { return identifier }
        var digits: [UInt8] = []
        digits.reserveCapacity(identifier.utf8.count)
        var leadingPlus = false
        for (index, byte) in identifier.utf8.enumerated() {
            if isDigit(byte) {
                digits.append(byte)
            } else if byte == UInt8(ascii: "+"), index == 0 {
                leadingPlus = true
            } else if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "(")
                || byte == UInt8(ascii: ")") || byte == UInt8(ascii: ".")
            {
                continue
            } else {
                return identifier
            }
        }
        let international: ArraySlice<UInt8>
        if leadingPlus {
            international = digits[...]
        } else if digits.starts(with: internationalPrefix.utf8) {
            international = digits.dropFirst(internationalPrefix.utf8.count)
        } else if let countryCode, digits.starts(with: nationalPrefix.utf8),
            digits.count > nationalPrefix.utf8.count
        {
            international = ArraySlice(countryCode.utf8) + digits.dropFirst(nationalPrefix.utf8.count)
        } else {
            return identifier
        }
        guard (8...15).contains(international.count), international.first != UInt8(ascii: "0") else {
            return identifier
        }
        return "+" + String(decoding: international, as: UTF8.self)
    }
}

@inline(__always)
func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
