/// Which acc attributes hold a call's parties, source IP, account and call id: the operator's
/// `log_extra` (transaction lines) and `cdr_extra` (dialog CDR lines) choose the names.
///
/// Written as `role=key` pairs separated by commas, a role's fallbacks separated by `|`
/// (`callee=dst_user|called|uri`); an empty key list (`account=`) means the feed has none. Roles
/// not named keep their defaults. A CDR line's `src_user`/`dst_user` name the request that ended
/// the dialog (a callee's BYE swaps them), so the CDR roles default to the dialog's own
/// `caller`/`callee`, never to those.
public struct KamailioAccKeys: Sendable, Equatable {
    /// The roles, by their names in the setting.
    public enum Role: String, CaseIterable, Sendable {
        case caller, callee
        case sourceIP = "source-ip"
        case account
        case cdrCaller = "cdr-caller"
        case cdrCallee = "cdr-callee"
        case cdrSourceIP = "cdr-source-ip"
        case cdrAccount = "cdr-account"
        case cdrCallID = "cdr-call-id"

        /// The keys used when the setting does not name the role.
        var defaultKeys: [String] {
            switch self {
            case .caller: return ["src_user", "calling"]
            case .callee: return ["dst_user", "called", "uri"]
            case .sourceIP, .cdrSourceIP: return ["src_ip"]
            case .account, .cdrAccount: return []
            case .cdrCaller: return ["caller"]
            case .cdrCallee: return ["callee"]
            case .cdrCallID: return ["call_id"]
            }
        }
    }

    private var keys: [Role: [String]]

    /// The defaults, which fit the `log_extra` of Kamailio's sample configuration
    /// (`src_user=$fU;…;dst_user=$rU`) and a `cdr_extra` of `call_id=$ci;caller=…;callee=…`.
    public static let defaults = KamailioAccKeys(keys: [:])

    private init(keys: [Role: [String]]) { self.keys = keys }

    /// Reads the setting, or says in a sentence what is wrong with it.
    public init(parsing setting: String) throws(FeedSettingsError) {
        var keys: [Role: [String]] = [:]
        for pair in setting.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts[0].trimmingSpaces
            guard parts.count == 2, let role = Role(rawValue: name) else {
                let roles = Role.allCases.map(\.rawValue).joined(separator: ", ")
                throw FeedSettingsError("--acc-keys: '\(pair)' is not ROLE=KEY; the roles are: \(roles)")
            }
            guard keys[role] == nil else { throw FeedSettingsError("--acc-keys names \(name) twice") }
            let names = parts[1].split(separator: "|").map(\.trimmingSpaces)
            guard names.allSatisfy(Self.isKeyName) else {
                throw FeedSettingsError(
                    "--acc-keys: '\(parts[1])' for \(name) is not a list of acc attribute names (letters, digits, _ - .)"
                )
            }
            keys[role] = names
        }
        self.keys = keys
    }

    /// The attribute names that hold `role`, tried in order.
    public subscript(role: Role) -> [String] { keys[role] ?? role.defaultKeys }

    private static func isKeyName(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { byte in
                (byte | 0x20) &- UInt8(ascii: "a") < 26 || byte &- UInt8(ascii: "0") < 10 || "_-.".utf8.contains(byte)
            }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
