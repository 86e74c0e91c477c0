import Feeds

/// Money as whole minor units of 1/10000 of the currency unit (`Int64`), read from and written as
/// exact decimal text: no floating point.
public enum MinorUnits {
    /// Minor units in one currency unit.
    public static let perUnit: Int64 = 10_000

    /// The digits allowed after the decimal point.
    public static let decimals = 4

    /// The minor units of a decimal written `D[.DDDD]`: digits, then optionally a point and 1 to 4
    /// digits (`0.0150`, `1`, `12.5`); `-` first only when `allowingNegative`. Anything else is
    /// refused, naming `name` and the value: more than 4 decimals, no digit before or after the
    /// point (`.5`, `1.`), an exponent, spaces, a sign, or a value beyond the range of `Int64`.
    public static func parse(
        _ value: String, _ name: String, allowingNegative: Bool = false
    ) throws(FieldRefusal) -> Int64 {
        let shown = "\(name) '\(value.prefix(40))'"
        var bytes = Substring(value).utf8
        let negative = bytes.first == UInt8(ascii: "-")
        if negative {
            guard allowingNegative else { throw FieldRefusal("\(shown) is negative; it must be 0 or more") }
            bytes = bytes.dropFirst()
        }
        let whole = bytes.prefix { $0 &- UInt8(ascii: "0") < 10 }
        var fraction = bytes[whole.endIndex...]
        if fraction.first == UInt8(ascii: ".") { fraction = fraction.dropFirst() }
        let pointed = fraction.startIndex != whole.endIndex
        let fractionDigits = fraction.prefix { $0 &- UInt8(ascii: "0") < 10 }
        guard !whole.isEmpty, fractionDigits.endIndex == fraction.endIndex, !pointed || !fraction.isEmpty else {
            throw FieldRefusal(
                "\(shown) is not a decimal amount; write digits with an optional point and up to 4 decimals, such as 0.0150"
            )
        }
        guard fraction.count <= decimals else {
            throw FieldRefusal("\(shown) has more than 4 decimals; amounts are exact to 0.0001")
        }
        var amount: Int64 = 0
        let digits =
            Array(whole) + Array(fraction) + Array(repeating: UInt8(ascii: "0"), count: decimals - fraction.count)
        for digit in digits {
            let (times10, overflowA) = amount.multipliedReportingOverflow(by: 10)
            let (next, overflowB) = times10.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
            guard !overflowA, !overflowB else {
                throw FieldRefusal("\(shown) is too large; the largest amount is \(text(Int64.max))")
            }
            amount = next
        }
        return negative ? -amount : amount
    }

    /// The decimal text of an amount with exactly 4 decimals: `12345` → `1.2345`, `-150` → `-0.0150`.
    public static func text(_ amount: Int64) -> String {
        let magnitude = amount.magnitude
        let unit = UInt64(perUnit)
        let fraction = String(magnitude % unit)
        let padding = String(repeating: "0", count: decimals - fraction.count)
        return "\(amount < 0 ? "-" : "")\(magnitude / unit).\(padding)\(fraction)"
    }
}
