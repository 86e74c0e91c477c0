import Foundation

/// A private PostgreSQL cluster under a directory of cdrstore's own, created with `initdb` and
/// run with `pg_ctl`, reachable only through a Unix socket inside that directory.
///
/// - Important: `initdb` refuses to run as root, so when the current user is root the server
///   runs as an unprivileged operating-system user (`postgres` unless `CDRSTORE_PG_OS_USER` says
///   otherwise), which must be able to reach `home`.
public struct EmbeddedCluster: Sendable {
    /// The directory holding the cluster (`pgdata/`), its socket (`run/`) and its log.
    public let home: String
    /// Whether the server syncs to disk; tests turn it off for speed, the real store never does.
    public let durable: Bool
    /// Further server settings written into `postgresql.conf` when the cluster is created.
    public let settings: [String: String]
    /// The database cdrstore uses inside the cluster.
    public static let databaseName = "cdrstore"
    /// The superuser role `initdb` creates.
    public static let superuser = "cdrstore"

    /// Describes the cluster under `home`.
    public init(home: String, durable: Bool = true, settings: [String: String] = [:]) {
        self.home = home
        self.durable = durable
        self.settings = settings
    }

    /// The data directory.
    public var dataDirectory: String { home + "/pgdata" }
    /// The directory of the server's Unix socket.
    public var socketDirectory: String { home + "/run" }
    /// The server log.
    public var logFile: String { home + "/postgresql.log" }

    /// A libpq connection string for `database` in this cluster, as `login` (the superuser by default).
    public func conninfo(database: String = EmbeddedCluster.databaseName, login: String = superuser) -> String {
        "host=\(socketDirectory) port=5432 user=\(login) dbname=\(database)"
    }

    /// Creates the cluster if it does not exist, starts the server if it is not running and
    /// creates the cdrstore database; returns true when it had to start the server.
    @discardableResult
    public func start() throws -> Bool {
        let tools = try ServerTools.locate()
        let runAs = try OperatingSystemUser.forServer()
        try createDirectories(owner: runAs)
        if !FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") {
            try runAs.requireReach(dataDirectory, asHomeOf: "CDRSTORE_HOME")
            try runAs.run(
                tools.initdb,
                [
                    "-D", dataDirectory, "-U", Self.superuser, "--auth=trust", "--encoding=UTF8", "--no-locale",
                    "--no-instructions",
                ], failure: "initdb could not create the cluster in \(dataDirectory)")
            try writeSettings(owner: runAs)
        }
        let mustStart = try !runAs.succeeds(tools.pgCtl, ["status", "-D", dataDirectory])
        if mustStart {
            try runAs.run(
                tools.pgCtl, ["start", "-w", "-t", "60", "-D", dataDirectory, "-l", logFile],
                failure: "the PostgreSQL server did not start; its log is \(logFile)")
        }
        try createDatabase()
        return mustStart
    }

    /// Stops the server, waiting for it; `immediate` skips the clean shutdown checkpoint.
    public func stop(immediate: Bool = false) throws {
        let tools = try ServerTools.locate()
        let runAs = try OperatingSystemUser.forServer()
        guard try runAs.succeeds(tools.pgCtl, ["status", "-D", dataDirectory]) else { return }
        try runAs.run(
            tools.pgCtl, ["stop", "-w", "-D", dataDirectory, "-m", immediate ? "immediate" : "fast"],
            failure: "the PostgreSQL server under \(dataDirectory) did not stop")
    }

    private func createDirectories(owner: OperatingSystemUser) throws {
        let manager = FileManager.default
        for directory in [home, dataDirectory, socketDirectory] {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        try manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: dataDirectory)
        try owner.takeOwnership(of: [home, dataDirectory, socketDirectory])
    }

    private func writeSettings(owner: OperatingSystemUser) throws {
        var settings = """

            # written by cdrstore: a private server, reachable only through the socket below
            listen_addresses = ''
            unix_socket_directories = '\(socketDirectory)'
            unix_socket_permissions = 0700
            max_connections = 200
            max_wal_size = '2GB'
            # loaded once by the server instead of by each new session's first PL/pgSQL call:
            # 0.6 ms instead of 1.2 ms, which every lookup from a new connection pays
            shared_preload_libraries = 'plpgsql'

            """
        if !durable {
            settings += "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
        }
        for (name, value) in self.settings.sorted(by: { $0.key < $1.key }) {
            settings += "\(name) = '\(value)'\n"
        }
        let path = dataDirectory + "/postgresql.conf"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(settings.utf8))
    }

    private func createDatabase() throws {
        let admin = try Connection(conninfo(database: "postgres"))
        let exists = try admin.execute("SELECT 1 FROM pg_database WHERE datname = $1", [.text(Self.databaseName)])
        if exists.rows.isEmpty {
            try admin.execute("CREATE DATABASE \(Self.databaseName)")
        }
    }
}

/// The PostgreSQL server programs this machine has.
struct ServerTools {
    let initdb: String
    let pgCtl: String

    /// Finds `initdb` and `pg_ctl` on `PATH`, through `pg_config --bindir`, or in Debian's folders.
    static func locate() throws -> ServerTools {
        var candidates: [String] = []
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        candidates += path.split(separator: ":").map(String.init)
        if let bindir = try? ChildProcess.run(["/usr/bin/env", "pg_config", "--bindir"]).output {
            candidates.append(bindir.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let debian = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        candidates += debian.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" }
        for directory in candidates {
            let initdb = directory + "/initdb"
            let pgCtl = directory + "/pg_ctl"
            if FileManager.default.isExecutableFile(atPath: initdb), FileManager.default.isExecutableFile(atPath: pgCtl)
            {
                return ServerTools(initdb: initdb, pgCtl: pgCtl)
            }
        }
        throw EmbeddedClusterError(
            "the PostgreSQL server programs (initdb, pg_ctl) are not installed; install them "
                + "(Debian: apt-get install postgresql) or point cdrstore at a server with --db or DATABASE_URL"
        )
    }
}

/// A plain-sentence failure of the embedded cluster.
public struct EmbeddedClusterError: Error, CustomStringConvertible, Sendable {
    /// What went wrong and what to do.
    public let description: String
    init(_ description: String) { self.description = description }
}
