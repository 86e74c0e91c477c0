/// Why a tariff file was refused as a whole: every problem found, each naming its line.
public struct TariffFileRefusal: Error, Sendable, Hashable {
    /// One problem on one line.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// The file's line number, from 1 (the header).
        public let line: Int
        /// The problem as a sentence a person can act on.
        public let reason: String

        /// `line N: reason`.
        public var description: String { "line \(line): \(reason)" }
    }

    /// The problems in line order.
    public let problems: [Problem]
}
