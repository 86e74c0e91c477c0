import Feeds
import Foundation
import Hummingbird
import Logging
import Postgres
import ServiceLifecycle
import Store

/// `cdrstore serve`: the spool watchers, the HTTP push endpoints, health and metrics, until
/// SIGTERM or SIGINT; then it stops accepting, commits and answers what is in flight, and returns.
/// The parts are services of one `ServiceGroup`, shut down in the reverse of their order: the
/// HTTP server first (in-flight pushes are answered), then the spool watchers (each finishes its
/// file's batch), then the group committer (it commits what is queued).
public struct ServeService: Sendable {
    private let configuration: ServeConfiguration
    private let connect: @Sendable () throws -> Connection
    private let now: @Sendable () -> Int64
    private let logger: Logger
    /// Seconds a connection may stay without a byte read or written before it is closed (a
    /// client that sends nothing, or sends its body too slowly to keep it open).
    static let idleSeconds: Int64 = 15
    /// The largest header field, and the largest header block: 16 KiB.
    static let maxHeaderBytes = 16 << 10
    /// The most header fields a request may have.
    static let maxHeaderFields = 100

    /// Prepares the service; `connect` opens a database connection, `now` gives µs since the epoch.
    public init(
        configuration: ServeConfiguration, connect: @escaping @Sendable () throws -> Connection,
        now: @escaping @Sendable () -> Int64, logger: Logger
    ) {
        self.configuration = configuration
        self.connect = connect
        self.now = now
        self.logger = logger
    }

    /// Runs until a shutdown signal; `onListening` is told the bound port once the server listens.
    public func run(onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        try Migrator(connection: try connect()).requireCurrentSchema()
        let metrics = ServeMetrics()
        let committer = GroupCommitter(
            connect: connect, now: now, maxQueuedRecords: configuration.maxQueuedRecords,
            maxGroupRecords: configuration.maxGroupRecords,
            report: { [logger] report in
                metrics.record(report)
                if let failure = report.failure {
                    logger.error(
                        "group commit failed", metadata: ["records": "\(report.records)", "error": "\(failure)"])
                }
            })
        let feedHealth = FeedHealth()
        let watchers = configuration.feeds.compactMap { feed in
            feed.spool.map { spool in
                SpoolWatcher(
                    feed: feed, spool: spool, connect: connect, now: now, pollSeconds: configuration.pollSeconds,
                    logger: logger, health: feedHealth,
                    onSummary: { summary in
                        metrics.count(
                            feed: feed.name, ingested: summary.ingested, duplicates: summary.duplicates,
                            rejected: summary.rejected)
                    })
            }
        }
        let router = ServeRoutes(
            handler: PushHandler(
                configuration: configuration, committer: committer, metrics: metrics, health: feedHealth),
            health: HealthCheck(connect: connect), feedHealth: feedHealth, metrics: metrics, committer: committer
        ).router()
        let application = Application(
            router: router,
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [
                        HeaderOverflowAnswer(
                            message:
                                "the request's header block is over \(Self.maxHeaderBytes >> 10) KiB or \(Self.maxHeaderFields) fields"
                        ),
                        RequestDeadline(seconds: configuration.requestSeconds),
                    ],
                    idleTimeout: .seconds(Self.idleSeconds),
                    httpDecoderConfiguration: .init(
                        maxHeaderFieldSize: Self.maxHeaderBytes, maxHeaderListSize: Self.maxHeaderBytes,
                        maxHeaderFieldCount: Self.maxHeaderFields))),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "cdrstore"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info(
                    "serving",
                    metadata: [
                        "listen": "\(configuration.host):\(port)",
                        "feeds": "\(configuration.feeds.map(\.name).joined(separator: ","))",
                    ])
                onListening(port)
            },
            logger: logger)
        let services = ServiceGroup(
            services: [
                ServeStage(start: {}, stop: { committer.stop() }),
                ServeStage(
                    start: { for watcher in watchers { watcher.start() } },
                    stop: { for watcher in watchers { watcher.stop() } }),
                application,
            ], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        defer { logger.info("stopped") }
        do {
            try await services.run()
        } catch  where "\(error)".contains("Address already in use") {
            throw ConfigurationError(
                "cannot listen on \(configuration.host):\(configuration.port): another program already listens there")
        } catch  where "\(error)".contains("Cannot assign requested address") {
            throw ConfigurationError(
                "cannot listen on \(configuration.host):\(configuration.port): that address is not one of this machine's"
            )
        }
    }
}

/// A part of `serve` that runs on threads of its own (the group committer, the spool watchers)
/// as a service: started with the group, stopped, waiting for its work in flight, when the group
/// shuts it down or is cancelled.
struct ServeStage: Service {
    let start: @Sendable () -> Void
    let stop: @Sendable () -> Void

    /// Starts the part, waits for the shutdown, then stops it.
    func run() async {
        start()
        try? await gracefulShutdown()
        stop()
    }
}
