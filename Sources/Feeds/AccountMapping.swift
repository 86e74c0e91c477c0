import CDRModel

/// Which billing account a feed's records belong to: the feed's own account codes mapped to
/// accounts, and optionally one account for every record whose code is not listed or absent.
public struct AccountMapping: Sendable, Equatable {
    /// Account code as the feed writes it → account as stored.
    public let accounts: [String: String]
    /// The account of records whose code is not in `accounts` (or who have none); nil keeps them as they are.
    public let otherwise: String?

    /// Creates a mapping.
    public init(accounts: [String: String], otherwise: String?) {
        self.accounts = accounts
        self.otherwise = otherwise
    }

    /// Reads `CODE=ACCOUNT,CODE=ACCOUNT,*=ACCOUNT` (`*` for every other record).
    public init(parsing text: String) throws(FeedSettingsError) {
        var accounts: [String: String] = [:]
        var otherwise: String?
        for pair in text.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw FeedSettingsError("account map entry '\(pair)' is not CODE=ACCOUNT (or *=ACCOUNT for the rest)")
            }
            let code = String(parts[0])
            guard code == "*" ? otherwise == nil : accounts[code] == nil else {
                throw FeedSettingsError("account map names '\(code)' twice")
            }
            if code == "*" { otherwise = String(parts[1]) } else { accounts[code] = String(parts[1]) }
        }
        self.init(accounts: accounts, otherwise: otherwise)
    }

    /// Gives `call` its mapped account.
    public func apply(to call: inout CallRecord) {
        if let code = call.account, let account = accounts[code] {
            call.account = account
        } else if let otherwise {
            call.account = otherwise
        }
    }
}
