import CDRModel
import Postgres

/// The billing accounts in `billing.account`: which plan, currency and zone each has.
public struct BillingAccounts {
    private let connection: Connection

    /// Creates a helper on a connection.
    public init(connection: Connection) { self.connection = connection }

    /// Gives `account` a plan (which must have rates), and optionally a currency and a zone.
    public func set(account: String, plan: String, currency: String?, zone: String?) throws {
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
        try connection.execute(
            """
            INSERT INTO billing.account (account, plan, currency, zone)
            VALUES ($1, $2, coalesce($3, 'EUR'), coalesce($4, 'UTC'))
            ON CONFLICT (account) DO UPDATE
                SET plan = EXCLUDED.plan, currency = coalesce($3, billing.account.currency),
                    zone = coalesce($4, billing.account.zone), updated_by = session_user, updated_at = now()
            """, [.text(account), .text(plan), .optional(currency), .optional(zone)])
    }

    /// Every account with its plan, currency and zone.
    public func list() throws -> QueryResult {
        try connection.execute("SELECT account, plan, currency, zone FROM billing.account ORDER BY account")
    }
}
