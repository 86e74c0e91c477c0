/// An ASN.1 GeneralizedTime in UTC in whole seconds as its text (`20260315143000Z`), made from the
/// store's ISO 8601 text (`2026-03-15T14:30:00.250000Z`).
struct GeneralizedTime: Equatable {
    /// `YYYYMMDDHHMMSSZ`.
    let text: String

    /// The time written `YYYY-MM-DDTHH:MM:SS[.f…]Z`, or nil when `iso8601` has any other shape. A
    /// fraction of a second is dropped (the time is truncated to its second), as the importers of
    /// retained-data exports read `YYYYMMDDHHMMSSZ` only.
    init?(iso8601: String) {
        let bytes = Array(iso8601.utf8)
        let shape = Array("####-##-##T##:##:##".utf8)
        guard bytes.count > shape.count, bytes.last == UInt8(ascii: "Z") else { return nil }
        var digits: [UInt8] = []
        for (byte, expected) in zip(bytes, shape) {
            if expected == UInt8(ascii: "#") {
                guard Self.isDigit(byte) else { return nil }
                digits.append(byte)
            } else if byte != expected {
                return nil
            }
        }
        let fraction = bytes[shape.count..<(bytes.count - 1)]
        if let point = fraction.first {
            let fractionDigits = fraction.dropFirst()
            guard point == UInt8(ascii: "."), !fractionDigits.isEmpty, fractionDigits.allSatisfy(Self.isDigit) else {
                return nil
            }
        }
        text = String(decoding: digits + [UInt8(ascii: "Z")], as: UTF8.self)
    }

    /// The GeneralizedTime text of `iso8601`, or `iso8601` unchanged when it is not in the store's
    /// form, so that no value handed over is lost.
    static func text(of iso8601: String) -> String {
        GeneralizedTime(iso8601: iso8601)?.text ?? iso8601
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }
}
