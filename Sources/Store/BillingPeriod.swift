import Foundation

/// A calendar month to bill, `YYYY-MM`.
public struct BillingPeriod: Sendable, Equatable, CustomStringConvertible {
    /// The year.
    public let year: Int
    /// The month, 1 to 12.
    public let month: Int

    /// Reads `YYYY-MM`, or says what is wrong.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]),
            let month = Int(parts[1]), (1...12).contains(month), year >= 1970
        else { throw StoreError("period '\(text)' is not a month YYYY-MM (e.g. 2026-10)") }
        self.year = year
        self.month = month
    }

    /// `YYYY-MM`.
    public var description: String { String(format: "%04d-%02d", year, month) }

    /// The first day, `YYYY-MM-01`, as SQL date text.
    var firstDay: String { description + "-01" }
}
