import ArgumentParser
import Foundation
import Logging
import Postgres
import Server
import Store

/// `cdrstore serve`: the long-running service (spool folders and HTTP pushes).
struct ServeCommand: ParsableCommand {
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

    func run() throws {
        let configuration = try ServeConfiguration.load(path: config)
        if check {
            Output.line(configuration.summary)
            Output.flush()
            return
        }
        let conninfo = try database.connector.conninfo { Output.errorLine($0) }
        let first = try Connection(conninfo)
        if migrate { _ = try Migrator(connection: first).migrate() }
        try Migrator(connection: first).requireCurrentSchema()
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
            configuration: configuration, connect: { try Connection(conninfo) }, now: WallClock.nowMicroseconds,
            logger: Logger(label: "cdrstore"))
        try AsyncBridge.run {
            try await service.run(onListening: { port in
                Output.errorLine("cdrstore: listening on \(configuration.host):\(port)")
            })
        }
    }
}

/// Runs async work to its end from the synchronous command line.
enum AsyncBridge {
    /// Runs `work` and returns once it has finished, rethrowing its error.
    static func run(_ work: @escaping @Sendable () async throws -> Void) throws {
        let outcome = OutcomeBox()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { try await work() } catch { outcome.set(error) }
            done.signal()
        }
        done.wait()
        if let error = outcome.error { throw error }
    }

    private final class OutcomeBox: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: (any Error)?
        var error: (any Error)? { lock.withLock { stored } }
        func set(_ error: any Error) { lock.withLock { stored = error } }
    }
}
