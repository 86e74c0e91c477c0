import Foundation
import Postgres

/// Opens connections to the database a command was pointed at, starting the embedded cluster
/// when that is the one.
public struct StoreConnector: Sendable {
    /// The database chosen by `--db`, `DATABASE_URL`, `PG*` or the embedded default.
    public let selection: DatabaseSelection

    /// The login to use on the embedded cluster (`PGUSER`); nil for its superuser.
    public let embeddedLogin: String?

    /// Creates a connector; `embeddedLogin` names the person on the embedded cluster (a configured
    /// server's login is in its connection string or `PG*` variables).
    public init(selection: DatabaseSelection, embeddedLogin: String? = nil) {
        self.selection = selection
        self.embeddedLogin = embeddedLogin
    }

    /// Where the data lives, in words, for messages.
    public var locationDescription: String {
        switch selection {
        case .configured(let conninfo, let origin):
            return conninfo.isEmpty ? "the server named by \(origin)" : "the server given by \(origin)"
        case .embedded(let home):
            return "the embedded PostgreSQL under \(home)"
        }
    }

    /// The connection string of the chosen database; for the embedded cluster, starts it first
    /// (saying so through `notice`), so that a long-running service can open connections at will.
    public func conninfo(notice: (String) -> Void = { _ in }) throws -> String {
        switch selection {
        case .configured(let conninfo, _):
            _ = try connect()
            return conninfo
        case .embedded(let home):
            let cluster = EmbeddedCluster(home: home)
            let started = try cluster.start()
            notice("cdrstore: using the embedded PostgreSQL under \(home)\(started ? " (started it)" : "")")
            return cluster.conninfo(login: embeddedLogin ?? EmbeddedCluster.superuser)
        }
    }

    /// What opens connections to the chosen database at will, for work that needs several: the
    /// database is resolved (the embedded cluster started, saying so through `notice`) once, now.
    public func opener(notice: (String) -> Void = { _ in }) throws -> @Sendable () throws -> Connection {
        let conninfo = try conninfo(notice: notice)
        return { try Connection(conninfo) }
    }

    /// Opens a connection; for the embedded cluster, creates and starts it first and reports
    /// that through `notice` (one line).
    public func connect(notice: (String) -> Void = { _ in }) throws -> Connection {
        switch selection {
        case .configured(let conninfo, let origin):
            do {
                return try Connection(conninfo)
            } catch let error as PostgresError {
                let reason = error.message.split(whereSeparator: \.isNewline).map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                throw StoreError("cannot connect to the database given by \(origin): \(reason.joined(separator: " "))")
            }
        case .embedded:
            return try Connection(try conninfo(notice: notice))
        }
    }
}
