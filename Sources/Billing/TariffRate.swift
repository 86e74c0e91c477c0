/// One price of a tariff plan: what calls to destinations starting with `prefix` cost from `validFrom` on.
public struct TariffRate: Sendable, Hashable {
    /// The largest connect fee or rate per minute a tariff may give: 1,000,000 currency units, so
    /// that rating a call can never overflow.
    public static let maxAmount: Int64 = 1_000_000 * MinorUnits.perUnit
    /// The largest first increment or increment: one day, in seconds.
    public static let maxIncrementSeconds: Int64 = 86_400

    /// The plan the rate belongs to (`business-2026`).
    public var plan: String
    /// The destination prefix, digits only (`4670`; a tariff file may write it `+4670`).
    public var prefix: String
    /// What the invoice calls these calls (`Sweden mobile`); one invoice line per description.
    public var description: String
    /// Charged once per answered call, in minor units.
    public var connectFee: Int64
    /// The price of 60 billed seconds, in minor units.
    public var ratePerMinute: Int64
    /// Seconds billed in full as soon as a call is answered (0 or more).
    public var firstIncrementSeconds: Int64
    /// Seconds after the first increment are billed in whole blocks of this many (1 or more).
    public var incrementSeconds: Int64
    /// When the rate comes into force, µs since the epoch, UTC.
    public var validFrom: Int64
    /// The ISO 4217 code (`SEK`) the amounts are in, or nil for the account's currency.
    public var currency: String?

    /// Creates a rate; amounts at most `maxAmount`, increments at most `maxIncrementSeconds`.
    public init(
        plan: String, prefix: String, description: String, connectFee: Int64, ratePerMinute: Int64,
        firstIncrementSeconds: Int64, incrementSeconds: Int64, validFrom: Int64, currency: String? = nil
    ) {
        self.plan = plan
        self.prefix = prefix
        self.description = description
        self.connectFee = connectFee
        self.ratePerMinute = ratePerMinute
        self.firstIncrementSeconds = firstIncrementSeconds
        self.incrementSeconds = incrementSeconds
        self.validFrom = validFrom
        self.currency = currency
    }
}
