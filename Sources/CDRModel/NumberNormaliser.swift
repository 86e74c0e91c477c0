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
    private let countryCodeDigits: [UInt8]?
    private let internationalDigits: [UInt8]
    private let nationalDigits: [UInt8]

    /// Creates a normaliser; `countryCode` must be 1 to 3 digits.
    public init(countryCode: String?, internationalPrefix: String = "00", nationalPrefix: String = "0") {
        self.countryCode = countryCode
        self.internationalPrefix = internationalPrefix
        self.nationalPrefix = nationalPrefix
        countryCodeDigits = countryCode.map { Array($0.utf8) }
        internationalDigits = Array(internationalPrefix.utf8)
        nationalDigits = Array(nationalPrefix.utf8)
    }

    /// Tells whether `code` is a valid country calling code (1 to 3 digits, not starting with 0).
    public static func isValidCountryCode(_ code: String) -> Bool {
        (1...3).contains(code.utf8.count) && code.utf8.allSatisfy(isDigit) && code.utf8.first != UInt8(ascii: "0")
    }

    /// The E.164 form of `identifier` when certain, else `identifier` unchanged.
    public func normalise(_ identifier: String) -> String {
        var identifier = identifier
        return identifier.withUTF8 { utf8 in normalised(utf8) } ?? identifier
    }

    /// The E.164 form of an identifier's raw UTF-8 bytes, or nil when it is not certain (then the
    /// identifier stays as written); lets a parser skip making a string it would replace.
    public func e164(_ raw: UnsafeRawBufferPointer) -> String? {
        normalised(raw.assumingMemoryBound(to: UInt8.self))
    }

    /// The E.164 form of the UTF-8 bytes of an identifier, or nil when it is not certain.
    private func normalised(_ utf8: UnsafeBufferPointer<UInt8>) -> String? {
        guard let first = utf8.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "(") || isDigit(first),
            utf8.count <= 40
        else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 96) { scratch -> String? in
            var count = 0
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                defer { index += 1 }
                if first == UInt8(ascii: "+"), Self.isTrunkZero(utf8, at: index) {
                    index += 2  // `+46 (0)8 ...`: the bracketed national 0 is not dialled from abroad
                } else if isDigit(byte) {
                    scratch[count] = byte
                    count += 1
                } else if byte == UInt8(ascii: "+"), index == 0 {
                    continue
                } else if !Self.isSeparator(byte) {
                    return nil
                }
            }
            let digits = UnsafeBufferPointer(rebasing: scratch[0..<count])
            let output = UnsafeMutableBufferPointer(rebasing: scratch[48..<96])
            output[0] = UInt8(ascii: "+")
            var length = 1
            func append(_ bytes: some Sequence<UInt8>) {
                for byte in bytes where length < output.count {
                    output[length] = byte
                    length += 1
                }
            }
            if first == UInt8(ascii: "+") {
                append(digits)
            } else if digits.starts(with: internationalDigits) {
                append(digits.dropFirst(internationalDigits.count))
            } else if let countryCodeDigits, digits.starts(with: nationalDigits), count > nationalDigits.count {
                append(countryCodeDigits)
                append(digits.dropFirst(nationalDigits.count))
            } else {
                return nil
            }
            guard (9...16).contains(length), output[1] != UInt8(ascii: "0") else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: output[0..<length]), as: UTF8.self)
        }
    }

    private static func isTrunkZero(_ utf8: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        index + 2 < utf8.count && utf8[index] == UInt8(ascii: "(") && utf8[index + 1] == UInt8(ascii: "0")
            && utf8[index + 2] == UInt8(ascii: ")")
    }

    private static func isSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "(")
            || byte == UInt8(ascii: ")") || byte == UInt8(ascii: ".")
    }
}

@inline(__always)
func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
