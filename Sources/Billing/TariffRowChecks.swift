import CDRModel
import Feeds

/// The checks of a tariff file's rows: each field's rule, and across rows no repeated
/// (plan, prefix, valid_from) and one currency per plan.
struct TariffRowChecks {
    /// The line of the first rate of each (plan, prefix, valid_from).
    private var firstLines: [TariffKey: Int] = [:]
    /// The currency of each plan and the line that first gave it.
    private var planCurrencies: [String: (currency: String?, line: Int)] = [:]

    /// The rate of one row whose fields match the header, or the problems of its fields.
    mutating func rate(
        _ fields: [String], line: Int, columns: [String: Int]
    ) -> (rate: TariffRate?, problems: [String]) {
        var problems: [String] = []
        func checked<Value>(
            _ name: String, _ rule: (String, String) throws(FieldRefusal) -> Value
        ) -> Value? {
            do throws(FieldRefusal) {
                return try rule(columns[name].map { fields[$0] } ?? "", name)
            } catch {
                problems.append(error.reason)
                return nil
            }
        }
        let plan = checked("plan") { text, _ throws(FieldRefusal) in
            try Self.nonEmpty(text, "plan is empty; every rate needs the name of its plan")
        }
        let prefix = checked("prefix", Self.prefix)
        let description = checked("description") { text, _ throws(FieldRefusal) in
            try Self.nonEmpty(text, "description is empty; it names the invoice line of these calls")
        }
        let connectFee = checked("connect_fee", Self.amount)
        let ratePerMinute = checked("rate_per_minute", Self.amount)
        let firstIncrement = checked("first_increment_s") { text, name throws(FieldRefusal) in
            try Self.seconds(text, name, from: 0)
        }
        let increment = checked("increment_s") { text, name throws(FieldRefusal) in
            try Self.seconds(text, name, from: 1)
        }
        let validFrom = checked("valid_from", Self.validFrom)
        let currency = checked(TariffFile.optionalColumn, Self.currency)
        guard let plan, let prefix, let description, let connectFee, let ratePerMinute, let firstIncrement,
            let increment, let validFrom, let currency
        else { return (nil, problems) }
        let key = TariffKey(plan: plan, prefix: prefix, validFrom: validFrom)
        if let first = firstLines[key] {
            problems.append(
                "plan '\(plan)' already has a rate for prefix \(prefix) from the same valid_from on line \(first); keep one of them"
            )
        } else {
            firstLines[key] = line
        }
        if let first = planCurrencies[plan] {
            if first.currency != currency {
                problems.append(
                    "plan '\(plan)' is in \(Self.shown(first.currency)) on line \(first.line) but this line is in \(Self.shown(currency)); a plan has one currency"
                )
            }
        } else {
            planCurrencies[plan] = (currency, line)
        }
        guard problems.isEmpty else { return (nil, problems) }
        let rate = TariffRate(
            plan: plan, prefix: prefix, description: description, connectFee: connectFee,
            ratePerMinute: ratePerMinute, firstIncrementSeconds: firstIncrement, incrementSeconds: increment,
            validFrom: validFrom, currency: currency)
        return (rate, [])
    }

    private static func nonEmpty(_ text: String, _ reason: String) throws(FieldRefusal) -> String {
        guard !text.isEmpty else { throw FieldRefusal(reason) }
        return text
    }

    /// Digits with an optional `+` first; the digits.
    private static func prefix(_ text: String, _ name: String) throws(FieldRefusal) -> String {
        let digits = text.hasPrefix("+") ? String(text.dropFirst()) : text
        guard !digits.isEmpty else {
            throw FieldRefusal("\(name) is empty; write the leading digits of the destinations, such as +4670")
        }
        guard digits.utf8.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }) else {
            throw FieldRefusal("\(name) '\(text.prefix(40))' is not digits (with an optional + first), such as +4670")
        }
        guard digits.utf8.count <= TariffFile.maxPrefixDigits else {
            throw FieldRefusal(
                "\(name) '\(text)' has more than \(TariffFile.maxPrefixDigits) digits, the most a number has")
        }
        return digits
    }

    /// A connect fee or rate: exact to 4 decimals, from 0 to `TariffRate.maxAmount`.
    private static func amount(_ text: String, _ name: String) throws(FieldRefusal) -> Int64 {
        let amount = try MinorUnits.parse(text, name)
        guard amount <= TariffRate.maxAmount else {
            throw FieldRefusal(
                "\(name) '\(text.prefix(40))' is more than \(MinorUnits.text(TariffRate.maxAmount)), the largest amount a tariff may give"
            )
        }
        return amount
    }

    /// A whole number of seconds from `minimum` to `TariffRate.maxIncrementSeconds`.
    private static func seconds(_ text: String, _ name: String, from minimum: Int64) throws(FieldRefusal) -> Int64 {
        let range = "from \(minimum) to \(TariffRate.maxIncrementSeconds)"
        if text.hasPrefix("-") { throw FieldRefusal("\(name) '\(text.prefix(40))' is negative; it must be \(range)") }
        guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }),
            let seconds = Int64(text)
        else { throw FieldRefusal("\(name) '\(text.prefix(40))' is not a whole number of seconds \(range)") }
        guard seconds >= minimum, seconds <= TariffRate.maxIncrementSeconds else {
            throw FieldRefusal("\(name) \(seconds) is out of range; it must be \(range) seconds")
        }
        return seconds
    }

    /// A date `YYYY-MM-DD` (midnight UTC) or an ISO 8601 time with `Z` or an offset, as µs.
    private static func validFrom(_ text: String, _ name: String) throws(FieldRefusal) -> Int64 {
        guard let instant = Instant.parse(text) else {
            throw FieldRefusal(
                "\(name) '\(text.prefix(40))' is not a date YYYY-MM-DD (midnight UTC) or a time such as 2026-10-01T00:00:00Z"
            )
        }
        return instant
    }

    /// Empty (the account's currency) or three capital letters.
    private static func currency(_ text: String, _ name: String) throws(FieldRefusal) -> String? {
        guard !text.isEmpty else { return nil }
        guard text.utf8.count == 3, text.utf8.allSatisfy({ $0 &- UInt8(ascii: "A") < 26 }) else {
            throw FieldRefusal(
                "\(name) '\(text.prefix(40))' is not a three-letter ISO 4217 code in capitals, such as SEK")
        }
        return text
    }

    private static func shown(_ currency: String?) -> String { currency ?? "the account's currency" }
}

/// What may appear once in a tariff file.
private struct TariffKey: Hashable {
    var plan: String
    var prefix: String
    var validFrom: Int64
}
