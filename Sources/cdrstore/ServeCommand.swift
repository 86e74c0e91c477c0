import ArgumentParser
import Foundation
import Logging
import Postgres
import Server
import Store

/// `cdrstore serve`: the long-running service (spool folders and HTTP pushes).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Ingest spool folders and HTTP pushes until SIGTERM or SIGINT (see the README's serve section).",
        discussion: """
            The YAML configuration names the HTTP listener and the feeds: each with its format, zone and country code,
            a spool folder, push credentials, or both. A 2xx answer to a push means its records are committed.
            On SIGTERM or SIGINT the service stops accepting, commits and answers what is in flight, and exits 0.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The YAML configuration file.") var config: String
    @Flag(help: "Apply pending schema migrations first (else a database without the schema is refused).")
    var migrate = false
    @Flag(help: "Only read the configuration and print what it would run; no database is needed.")
    var check = false

    func run() async throws {
        let configuration = try ServeConfiguration.load(path: config)
        if check {
            Output.line(configuration.summary)
            Output.flush()
            return
        }
        let connect = try database.opener()
        let first = try connect()
        let migrator = Migrator(connection: first)
        if migrate { _ = try migrator.upgrade(citus: configuration.citus) }
        try migrator.requireCurrentSchema()
        if configuration.citus { try migrator.requireDistributed() }
        for feed in configuration.feeds {
            if let spool = feed.spool {
                try FileManager.default.createDirectory(atPath: spool.path, withIntermediateDirectories: true)
            }
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let service = ServeService(
            configuration: configuration, connect: connect, now: WallClock.nowMicroseconds,
            logger: Logger(label: "cdrstore"))
        try await service.run(onListening: { port in
            Output.errorLine("cdrstore: listening on \(configuration.host):\(port)")
        })
    }
}
