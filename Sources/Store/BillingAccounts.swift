import CDRModel
import Postgres

/// The billing accounts in `billing.account`: their plans over time, currency and zone.
public struct BillingAccounts {
    private let connection: Connection

    /// Creates a helper on a connection.
    public init(connection: Connection) { self.connection = connection }

    /// Puts `account` on `plan` (which must have rates) for calls starting at `from` (µs; nil: from
    /// the beginning) and later, until a later change; optionally sets its currency and zone.
    public func set(account: String, plan: String, from: Int64? = nil, currency: String?, zone: String?) throws {
        guard !account.isEmpty else { throw StoreError("the account name must not be empty") }
        if let currency, !(currency.count == 3 && currency.allSatisfy { $0.isASCII && $0.isUppercase }) {
            throw StoreError("currency '\(currency)' must be three capital letters (e.g. SEK)")
        }
        if let zone, ZoneClock(identifier: zone) == nil {
            throw StoreError("unknown time zone '\(zone)'; use an IANA name such as Europe/Stockholm or UTC")
        }
        let known = try connection.execute("SELECT count(*) FROM billing.tariff_rate WHERE plan = $1", [.text(plan)])
        guard known.scalar != "0" else {
            throw StoreError("plan '\(plan)' has no rates; import them first with cdrstore tariff import")
        }
        try connection.transaction {
            try connection.execute(
                """
                INSERT INTO billing.account (account, currency, zone) VALUES ($1, coalesce($2, 'EUR'), coalesce($3, 'UTC'))
                ON CONFLICT (account) DO UPDATE
                    SET currency = coalesce($2, billing.account.currency), zone = coalesce($3, billing.account.zone),
                        updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
                """, [.text(account), .optional(currency), .optional(zone)])
            try connection.execute(
                """
                INSERT INTO billing.account_plan (account, valid_from, plan)
                VALUES ($1, coalesce(\(SQLTime.timestamp("$2")), '-infinity'), $3)
                ON CONFLICT (account, valid_from) DO UPDATE
                    SET plan = EXCLUDED.plan, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at
                """, [.text(account), .optional(from.map(String.init)), .text(plan)])
        }
    }

    /// Every account with its plans (`plan from T, ...`), currency and zone.
    public func list() throws -> QueryResult {
        try connection.execute(
            """
            SELECT a.account,
                   string_agg(p.plan || CASE WHEN p.valid_from = '-infinity' THEN '' ELSE ' from ' || \(SQLTime.iso("p.valid_from")) END,
                              ', ' ORDER BY p.valid_from) AS plans,
                   a.currency, a.zone
            FROM billing.account AS a LEFT JOIN billing.account_plan AS p USING (account)
            GROUP BY a.account, a.currency, a.zone ORDER BY a.account
            """)
    }
}
