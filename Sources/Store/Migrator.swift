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
            // On a Citus coordinator each function and view kept on it warns that it stays there, as meant.
            try connection.execute(
                """
                SELECT set_config('client_min_messages', 'error', true)
                WHERE EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')
                """)
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
                try SQLScript.run(migration.sql, on: connection)
                try connection.execute(
                    "INSERT INTO cdr.schema_migration (version, name, sha256) VALUES ($1, $2, $3)",
                    [.text(String(migration.version)), .text(migration.name), .text(hash)])
                names.append(migration.name)
            }
            if !names.isEmpty, try Roles(connection: connection).exist() {
                try SQLScript.run(SchemaFiles.roles, on: connection)
            }
            return names
        }
    }

    /// Applies the missing migrations, then the distributed form when `citus` asks for it or when a
    /// store already in that form got a migration (which may restate what `citus.sql` changes);
    /// returns the migrations applied and whether the distributed form was applied.
    public func upgrade(citus: Bool) throws -> (applied: [String], distributed: Bool) {
        if citus { try requireCoordinator() }
        let applied = try migrate()
        guard try citus || (!applied.isEmpty && isDistributed()) else { return (applied, false) }
        try distribute()
        return (applied, true)
    }

    /// Throws unless the store is in its distributed form (for a service configured for Citus).
    public func requireDistributed() throws {
        guard try isDistributed() else {
            throw StoreError(
                "the store is not in its distributed form, which the configuration's citus: true expects: "
                    + "run cdrstore migrate --citus on the coordinator (or serve --migrate)")
        }
    }

    /// Turns the schema into its distributed form on a Citus coordinator (`sql/citus.sql`, one
    /// statement per transaction, each safe to run again); throws a plain sentence when the
    /// database is not a Citus coordinator with workers.
    public func distribute() throws {
        try requireCoordinator()
        try connection.execute("SELECT pg_advisory_lock(hashtext('cdrstore'), hashtext('migrate'))")
        defer { _ = try? connection.execute("SELECT pg_advisory_unlock(hashtext('cdrstore'), hashtext('migrate'))") }
        try SQLScript.run(SchemaFiles.citus, on: connection)
        // The roles' grants again, in the distributed form's way (column grants on every shard).
        let roles = Roles(connection: connection)
        if try roles.exist() { try roles.setup() }
    }

    /// True when the store's calls are a distributed table (the store is in its Citus form).
    public func isDistributed() throws -> Bool {
        guard try connection.execute("SELECT to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL").scalar == "t"
        else { return false }
        return try connection.execute(
            "SELECT count(*) FROM pg_dist_partition WHERE logicalrelid = to_regclass('cdr.call')"
        ).scalar != "0"
    }

    /// Throws unless the database has the citus extension and at least one worker.
    public func requireCoordinator() throws {
        guard try connection.execute("SELECT count(*) FROM pg_extension WHERE extname = 'citus'").scalar != "0" else {
            throw StoreError(
                "this database is not on a Citus coordinator: it has no citus extension "
                    + "(CREATE EXTENSION citus, with citus in shared_preload_libraries; deploy/citus/cluster.sh starts one)"
            )
        }
        let workers = try connection.execute(
            "SELECT count(*) FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0 AND isactive")
        guard workers.scalar != "0" else {
            throw StoreError(
                "the Citus coordinator has no active worker: add one with citus_add_node(host, port) first")
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
