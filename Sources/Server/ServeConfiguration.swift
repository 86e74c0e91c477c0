import Feeds
import Foundation
import Yams

/// What `cdrstore serve` runs: its HTTP listener, its queue limits and its feeds, read from YAML.
public struct ServeConfiguration: Sendable {
    /// One feed the service takes in, from a spool folder, from HTTP pushes, or both.
    public struct Feed: Sendable {
        /// The feed's name (as in `cdr.call.feed`).
        public var name: String
        /// How its records are read.
        public var settings: FeedSettings
        /// The spool folder watched for the feed's files, if any.
        public var spool: Spool?
        /// The HTTP basic-auth credentials pushes must carry, if the feed takes pushes.
        public var push: PushCredentials?
    }

    /// A folder whose files are ingested as they appear and grow.
    public struct Spool: Sendable {
        /// The folder.
        public var path: String
        /// A file-name pattern (`*` and `?`), default `*`.
        public var pattern: String
        /// Where finished files are moved, if anywhere.
        public var processed: String?
        /// Seconds a fully read file must stay unchanged before it is moved to `processed`.
        public var settleSeconds: Double
    }

    /// The user name and password of HTTP basic authentication for one feed.
    public struct PushCredentials: Sendable {
        /// The user name.
        public var username: String
        /// The password.
        public var password: String
    }

    /// The address the HTTP listener binds, e.g. `127.0.0.1`.
    public var host = "127.0.0.1"
    /// The HTTP port.
    public var port = 8080
    /// Records waiting for a commit beyond which pushes are answered 503.
    public var maxQueuedRecords = 100_000
    /// The most records one group commit takes.
    public var maxGroupRecords = 20_000
    /// Seconds a request may take to arrive whole, from the connection's opening or the previous
    /// answer, before it is answered 408 and the connection closed.
    public var requestSeconds: Int64 = 30
    /// Seconds between two looks at the spool folders.
    public var pollSeconds = 1.0
    /// The feeds.
    public var feeds: [Feed] = []
    /// The store is on a Citus coordinator, in its distributed form (`serve --migrate` applies it).
    public var citus = false

    /// What the configuration runs, one line per listener and feed, for `serve --check`.
    public var summary: String {
        var lines = ["listen \(host):\(port), queue up to \(maxQueuedRecords) records, groups up to \(maxGroupRecords)"]
        if citus { lines.append("store on a Citus coordinator, in its distributed form") }
        for feed in feeds {
            var parts = ["feed \(feed.name): \(feed.settings.format.rawValue) in \(feed.settings.timeZone)"]
            if let countryCode = feed.settings.countryCode { parts.append("country code \(countryCode)") }
            if let mapping = feed.settings.accountMapping {
                parts.append(
                    "\(mapping.accounts.count) account codes mapped"
                        + (mapping.otherwise.map { ", the rest to \($0)" } ?? ""))
            }
            if let spool = feed.spool {
                parts.append(
                    "spool \(spool.path) (\(spool.pattern))" + (spool.processed.map { ", done files to \($0)" } ?? ""))
            }
            if let push = feed.push {
                let endpoint = feed.settings.format == .freeSWITCHJSON ? "freeswitch-json" : "records"
                parts.append("pushes to /v1/feeds/\(feed.name)/\(endpoint) as \(push.username)")
            }
            lines.append(parts.joined(separator: "; "))
        }
        return lines.joined(separator: "\n")
    }

    /// The feed called `name`, if configured.
    public func feed(named name: String) -> Feed? { feeds.first { $0.name == name } }

    /// Reads the YAML file at `path`.
    public static func load(path: String) throws(ConfigurationError) -> ServeConfiguration {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigurationError("there is no configuration file \(path)")
        }
        guard !isDirectory.boolValue else {
            throw ConfigurationError("the configuration file \(path) is a directory; give the YAML file inside it")
        }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            attributes[.type] as? FileAttributeType == .typeRegular
        else { throw ConfigurationError("the configuration file \(path) is not a regular file") }
        guard let size = (attributes[.size] as? NSNumber)?.intValue, size <= Self.maxFileBytes else {
            throw ConfigurationError("the configuration file \(path) is larger than 1 MiB")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("the configuration file \(path) is not readable by this user")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError("the configuration file \(path) is not UTF-8 text")
        }
        return try parse(yaml: text, origin: path)
    }

    /// The largest configuration file read: 1 MiB.
    static let maxFileBytes = 1 << 20

    /// Reads a configuration from YAML text; `origin` names it in messages. Anchors and aliases,
    /// and nesting deeper than `YAMLLimits.maxDepth`, are refused before the YAML is loaded (an
    /// alias bomb would take all memory).
    public static func parse(yaml: String, origin: String) throws(ConfigurationError) -> ServeConfiguration {
        if let refusal = YAMLLimits.refusal(of: yaml) { throw ConfigurationError("\(origin): \(refusal)") }
        let root: Any?
        do {
            root = try YAMLValues.load(yaml)
        } catch {
            let reason = "\(error)".split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            throw ConfigurationError("\(origin) is not valid YAML: \(reason.joined(separator: " "))")
        }
        let table = try ConfigTable(root ?? [String: Any](), path: origin)
        return try ServeConfiguration(table)
    }

    private init(_ table: ConfigTable) throws(ConfigurationError) {
        try table.allowOnly(["http", "spool", "feeds", "citus"])
        citus = try table.bool("citus") ?? citus
        if let http = try table.table("http") {
            try http.allowOnly(["listen", "max_queued_records", "max_group_records", "request_seconds"])
            if let listen = try http.string("listen") { (host, port) = try Self.hostAndPort(listen, at: http) }
            maxQueuedRecords = try http.int("max_queued_records", in: 1...10_000_000) ?? maxQueuedRecords
            maxGroupRecords = try http.int("max_group_records", in: 1...1_000_000) ?? maxGroupRecords
            requestSeconds = try http.int("request_seconds", in: 1...3600).map(Int64.init) ?? requestSeconds
        }
        if let spool = try table.table("spool") {
            try spool.allowOnly(["poll_seconds"])
            pollSeconds = try spool.double("poll_seconds", in: 0.05...3600) ?? pollSeconds
        }
        for feedTable in try table.tables("feeds") {
            let feed = try Self.feed(feedTable)
            guard self.feed(named: feed.name) == nil else {
                throw ConfigurationError("\(feedTable.path): feed '\(feed.name)' is configured twice")
            }
            feeds.append(feed)
        }
        guard !feeds.isEmpty else { throw ConfigurationError("\(table.path): no feeds are configured (add 'feeds:')") }
    }

    private static func feed(_ table: ConfigTable) throws(ConfigurationError) -> Feed {
        try table.allowOnly([
            "name", "format", "tz", "country_code", "columns", "accounts", "acc_keys", "spool", "files", "processed",
            "settle_seconds", "push",
        ])
        let name = try table.requiredString("name")
        let settings: FeedSettings
        do {
            settings = try FeedSettings(
                format: try table.requiredString("format"), timeZone: try table.string("tz") ?? "UTC",
                countryCode: try table.string("country_code"),
                columns: try table.string("columns").map {
                    $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                },
                accountMapping: try accountMapping(table), accKeys: try table.string("acc_keys"))
        } catch let error as FeedSettingsError {
            throw ConfigurationError("\(table.path): \(error.description)")
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError("\(table.path): \(error)")
        }
        var spool: Spool?
        if let path = try table.string("spool") {
            spool = Spool(
                path: path, pattern: try table.string("files") ?? "*", processed: try table.string("processed"),
                settleSeconds: try table.double("settle_seconds", in: 0...86_400 * 30) ?? 300)
        } else if table.values["files"] != nil || table.values["processed"] != nil {
            throw ConfigurationError("\(table.path): 'files' and 'processed' need a 'spool' folder")
        }
        var push: PushCredentials?
        if let credentials = try table.table("push") {
            try credentials.allowOnly(["username", "password"])
            push = PushCredentials(
                username: try credentials.requiredString("username"),
                password: try credentials.requiredString("password"))
        }
        guard spool != nil || push != nil else {
            throw ConfigurationError(
                "\(table.path): feed '\(name)' has neither a 'spool' folder nor 'push' credentials")
        }
        return Feed(name: name, settings: settings, spool: spool, push: push)
    }

    /// `accounts:` — the feed's account codes mapped to accounts, `"*"` for every other record.
    private static func accountMapping(_ table: ConfigTable) throws(ConfigurationError) -> AccountMapping? {
        guard let accounts = try table.table("accounts") else { return nil }
        var mapped: [String: String] = [:]
        for code in accounts.values.keys { mapped[code] = try accounts.requiredString(code) }
        let otherwise = mapped.removeValue(forKey: "*")
        return AccountMapping(accounts: mapped, otherwise: otherwise)
    }

    private static func hostAndPort(_ listen: String, at table: ConfigTable) throws(ConfigurationError) -> (String, Int)
    {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
            (0...65_535).contains(port)
        else {
            throw ConfigurationError("\(table.path).listen: '\(listen)' is not HOST:PORT (e.g. 127.0.0.1:8080)")
        }
        let host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }
}

/// A configuration that cannot be used, with a sentence naming the place and the problem.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    /// The sentence.
    public let description: String
    init(_ description: String) { self.description = description }
}
