import ArgumentParser
import Foundation
import Postgres

/// `cdrstore embedded`: the private PostgreSQL cluster cdrstore runs when no database is configured.
struct EmbeddedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embedded", abstract: "Start, stop or locate the embedded PostgreSQL.",
        subcommands: [Start.self, Stop.self, Status.self])

    static var cluster: EmbeddedCluster {
        let environment = ProcessInfo.processInfo.environment
        let home =
            environment["CDRSTORE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? DatabaseOptions.defaultHome(environment)
        return EmbeddedCluster(home: home)
    }

    /// `embedded start`.
    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "start", abstract: "Create and start the embedded PostgreSQL.")
        func run() throws {
            let cluster = EmbeddedCommand.cluster
            let started = try cluster.start()
            Output.line("\(started ? "started" : "already running"): \(cluster.conninfo())")
            Output.flush()
        }
    }

    /// `embedded stop`.
    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stop", abstract: "Stop the embedded PostgreSQL.")
        func run() throws {
            try EmbeddedCommand.cluster.stop()
            Output.line("stopped the embedded PostgreSQL under \(EmbeddedCommand.cluster.home)")
            Output.flush()
        }
    }

    /// `embedded status`.
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Print where the embedded PostgreSQL lives and how to reach it with psql.")
        func run() throws {
            let cluster = EmbeddedCommand.cluster
            Output.line("home:     \(cluster.home)")
            Output.line("data:     \(cluster.dataDirectory)")
            Output.line("log:      \(cluster.logFile)")
            Output.line("psql:     psql \"\(cluster.conninfo())\"")
            Output.flush()
        }
    }
}
