import CDRModel
import Postgres
import Schema

/// Applies the SQL files of `sql/` that a database has not had yet, each in its own transaction.
public struct Migrator {
    private let connection: Connection

    /// Creates a migrator on a connection.
    public init(connection: Connection) { self.connection = connection }

    /// The newest schema version this build knows.
    public static var latestVersion: Int { SchemaFiles.migrations.last?.version ?? 0 }

    /// Applies every missing migration; returns the names of those applied (empty when up to date).
    @discardableResult
    public func migrate() throws -> [String] {
        try connection.transaction {
            try connection.execute("SELECT pg_advisory_xact_lock(hashtext('cdrstore'), hashtext('migrate'))")
            try connection.executeScript(
                """
                CREATE SCHEMA IF NOT EXISTS cdr;
                CREATE TABLE IF NOT EXISTS cdr.schema_migration (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    sha256     text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(),
                    applied_by text NOT NULL DEFAULT session_user
                );
                """)
            let applied = try connection.execute("SELECT version, name, sha256 FROM cdr.schema_migration")
            var appliedHashes: [Int: (name: String, sha256: String)] = [:]
            for row in applied.rows {
                appliedHashes[Int(row[0]!)!] = (row[1]!, row[2]!)
            }
            var names: [String] = []
            for migration in SchemaFiles.migrations {
                let hash = SHA256Digest.hex(SHA256Digest.of(Array(migration.sql.utf8)))
                if let existing = appliedHashes[migration.version] {
                    guard existing.sha256 == hash else {
                        throw StoreError(
                            "migration \(migration.name) was changed after it was applied to this database; "
                                + "restore the file and put the change in a new migration")
                    }
                    continue
                }
                try connection.executeScript(migration.sql)
                try connection.execute(
                    "INSERT INTO cdr.schema_migration (version, name, sha256) VALUES ($1, $2, $3)",
                    [.text(String(migration.version)), .text(migration.name), .text(hash)])
                names.append(migration.name)
            }
            if !names.isEmpty, try Roles(connection: connection).exist() {
                try connection.executeScript(SchemaFiles.roles)
            }
            return names
        }
    }

    /// Throws "run cdrstore migrate" unless the database has every migration this build knows.
    public func requireCurrentSchema() throws {
        // One statement, as every command pays it before its work: a store without the table
        // answers "undefined table" (42P01).
        let version: Int
        do {
            version =
                try connection.execute("SELECT coalesce(max(version), 0) FROM cdr.schema_migration")
                .scalar.flatMap { Int($0) } ?? 0
        } catch let error as PostgresError where error.sqlState == "42P01" {
            throw StoreError.schemaMissing
        }
        guard version >= Self.latestVersion else { throw StoreError.schemaMissing }
    }
}
