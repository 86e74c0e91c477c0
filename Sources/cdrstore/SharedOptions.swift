import ArgumentParser
import Feeds
import Foundation
import Postgres
import Store

/// `--db`: which database; absent, `DATABASE_URL`, `PG*` or the embedded cluster.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("db"),
        help:
            "A libpq connection string or postgresql:// URL (default: DATABASE_URL, PG* variables, else the embedded PostgreSQL)."
    )
    var url: String?

    /// The connector for the chosen database.
    var connector: StoreConnector {
        let environment = ProcessInfo.processInfo.environment
        return StoreConnector(
            selection: .resolve(flag: url, environment: environment, defaultHome: Self.defaultHome(environment)),
            embeddedLogin: environment["PGUSER"].flatMap { $0.isEmpty ? nil : $0 })
    }

    /// Opens a connection, saying on stderr when the embedded cluster is used.
    func connect() throws -> Connection {
        try connector.connect { Output.errorLine($0) }
    }

    /// What opens connections at will (the database resolved once, the embedded cluster noted on stderr).
    func opener() throws -> @Sendable () throws -> Connection {
        try connector.opener { Output.errorLine($0) }
    }

    /// Opens a connection to a database that has this build's schema, else says "run cdrstore migrate".
    func connectToCurrentSchema() throws -> Connection {
        let connection = try connect()
        try Migrator(connection: connection).requireCurrentSchema()
        return connection
    }

    /// `~/.local/share/cdrstore`, or `/var/lib/cdrstore` for root (whose home the server's user cannot reach).
    static func defaultHome(_ environment: [String: String]) -> String {
        if geteuid() == 0 { return "/var/lib/cdrstore" }
        let base = environment["XDG_DATA_HOME"] ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/share")
        return base + "/cdrstore"
    }
}

/// `--format`, `--tz`, `--country-code`, `--columns`, `--account-map` and `--acc-keys`: how to read a feed.
struct FeedOptions: ParsableArguments {
    @Option(help: "The feed format (\(FeedFormat.namesList)).")
    var format: String

    @Option(name: .customLong("tz"), help: "IANA time zone of times written without an offset.")
    var timeZone = "UTC"

    @Option(help: "Country calling code for national numbers, e.g. 46 (numbers stay as written without it).")
    var countryCode: String?

    @Option(
        help: """
            --format csv only: the columns' names in order, comma-separated (- or nothing for a column to ignore), \
            e.g. start,answer,end,src,dst; without it, the file's first line names them.
            """)
    var columns: String?

    @Option(help: "The feed's account codes mapped to billing accounts: CODE=ACCOUNT,...,*=ACCOUNT (* for the rest).")
    var accountMap: String?

    @Option(
        help: """
            --format kamailio-acc only: which acc keys hold what, as ROLE=KEY[|KEY...],... with the roles caller, \
            callee, source-ip, account (transaction lines) and cdr-caller, cdr-callee, cdr-source-ip, cdr-account, \
            cdr-call-id (dialog CDR lines); e.g. cdr-caller=c1,cdr-callee=c2.
            """)
    var accKeys: String?

    /// The checked settings.
    func settings() throws -> FeedSettings {
        try FeedSettings(
            format: format, timeZone: timeZone, countryCode: countryCode,
            columns: columns.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) },
            accountMapping: accountMap.map(AccountMapping.init(parsing:)), accKeys: accKeys)
    }
}
