import Foundation
import Postgres
import Store

/// A real PostgreSQL for the tests: one private cluster per test process, started on first use
/// with the same embedded-cluster code the CLI uses, and one fresh database per suite.
///
/// - Important: a test that cannot get a server fails with the reason; it never skips.
public enum TestDatabase {
    /// The folder name of each test process's cluster starts with this and the process id.
    private static let folderPrefix = "cdrstore-test-"

    private static let cluster: Result<EmbeddedCluster, any Error> = {
        do {
            stopClustersOfEndedRuns()
            let base = FileManager.default.temporaryDirectory.appendingPathComponent(
                "\(folderPrefix)\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            ).path
            try FileManager.default.createDirectory(
                atPath: base, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            // Prepared transactions on, so that the tests prove one discloses nothing.
            let cluster = EmbeddedCluster(home: base, durable: false, settings: ["max_prepared_transactions": "4"])
            try cluster.start()
            atexit {
                if case .success(let cluster) = TestDatabase.cluster {
                    try? cluster.stop(immediate: true)
                    try? FileManager.default.removeItem(atPath: cluster.home)
                }
            }
            return .success(cluster)
        } catch {
            return .failure(error)
        }
    }()

    /// Stops and removes the clusters of test processes that ended without their exit handler (a
    /// signal, such as SIGPIPE when a pipe reading the output closes early), so that none keeps
    /// running. A folder whose process id belongs to a live process is left alone.
    private static func stopClustersOfEndedRuns() {
        let temporary = FileManager.default.temporaryDirectory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        for name in names where name.hasPrefix(folderPrefix) {
            guard let pid = name.dropFirst(folderPrefix.count).split(separator: "-").first.flatMap({ pid_t($0) }),
                kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            let home = temporary.appendingPathComponent(name).path
            try? EmbeddedCluster(home: home).stop(immediate: true)
            try? FileManager.default.removeItem(atPath: home)
        }
    }

    /// The running test cluster (throws when it could not be started).
    public static func runningCluster() throws -> EmbeddedCluster { try cluster.get() }

    /// Creates an empty database with a unique name and returns its connection string.
    public static func createEmpty(prefix: String = "t") throws -> String {
        let cluster = try runningCluster()
        let name = "\(prefix)_\(UInt64.random(in: 0...UInt64.max))".lowercased()
        let admin = try Connection(cluster.conninfo(database: "postgres"))
        try admin.execute("CREATE DATABASE \"\(name)\"")
        return cluster.conninfo(database: name)
    }

    /// Creates a database with the cdrstore schema applied and returns its connection string.
    public static func createMigrated(prefix: String = "t") throws -> String {
        let conninfo = try createEmpty(prefix: prefix)
        try Migrator(connection: Connection(conninfo)).migrate()
        return conninfo
    }
}
