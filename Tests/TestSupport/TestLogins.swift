import Foundation
import Postgres
import Store

/// Database logins for tests that prove PostgreSQL enforces cdrstore's roles: each test gets
/// logins of its own (the cluster's roles are shared by every test database).
public enum TestLogins {
    /// Applies the roles to the database at `conninfo` (idempotent).
    public static func setUpRoles(in conninfo: String) throws {
        try Roles(connection: Connection(conninfo)).setup()
    }

    /// A new login called `name_<random>` in `role`; returns its name.
    public static func create(_ name: String, role: String, in conninfo: String) throws -> String {
        let login = "\(name)_\(UInt32.random(in: 0...UInt32.max))"
        try Roles(connection: Connection(conninfo)).grant(login: login, role: role)
        return login
    }

    /// `conninfo` (a test database's, as the superuser) for another login.
    public static func conninfo(_ conninfo: String, as login: String) -> String {
        conninfo.replacingOccurrences(of: "user=\(EmbeddedCluster.superuser) ", with: "user=\(login) ")
    }
}
