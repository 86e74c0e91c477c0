import Postgres
import Schema

/// cdrstore's group roles, which PostgreSQL enforces, and the logins that belong to them.
public struct Roles {
    /// The group roles `roles setup` creates, with what each is for.
    public static let all: [(name: String, purpose: String)] = [
        ("cdrstore_ingest", "writes calls and rejects; reads nothing else"),
        ("cdrstore_billing", "reads what billing needs; nothing of lawful access"),
        ("cdrstore_officer", "legal requests and audited lookups, through functions only"),
        ("cdrstore_auditor", "reads and verifies the audit log; no call data"),
        ("cdrstore_admin", "schema, retention, holds, subject exports; cannot rewrite the audit log"),
    ]

    /// The NOLOGIN role that owns lawful access's SECURITY DEFINER functions; never granted to anyone.
    public static let definer = "cdrstore_lawful"

    /// What `grant` sets on an officer login: an open transaction holds the audit log's append
    /// lock, so one left idle ends after this long.
    public static let officerIdleTimeout = "5s"

    /// Pairs of roles one login must not hold together: who reads data must not read its log.
    static let exclusive: [(String, String)] = [("cdrstore_officer", "cdrstore_auditor")]

    private let connection: Connection

    /// Creates a helper on a connection (a superuser's, to set roles up or grant them).
    public init(connection: Connection) { self.connection = connection }

    /// Creates the group roles that are missing and applies every grant (idempotent).
    public func setup() throws {
        try connection.transaction { try SQLScript.run(SchemaFiles.roles, on: connection) }
        try completeOnWorkers()
    }

    /// On a store in its Citus form, what roles.sql's transaction cannot do on the workers, whose
    /// connections do not see the roles it creates: the column grants on each shard of cdr.call,
    /// and worker logins for the owners of the SECURITY DEFINER functions (Citus connects to the
    /// workers as them), never on the coordinator.
    private func completeOnWorkers() throws {
        guard try Migrator(connection: connection).isDistributed() else { return }
        try connection.execute("SELECT cdr.copy_call_column_grants()")
        let failed = try connection.execute(
            """
            SELECT nodename || ':' || nodeport || ': ' || result FROM run_command_on_workers(
                'DO $$ BEGIN SET LOCAL citus.enable_ddl_propagation = off; '
                    || 'ALTER ROLE cdrstore_admin LOGIN; ALTER ROLE \(Self.definer) LOGIN; END $$')
            WHERE NOT success
            """)
        if let first = failed.rows.first?[0] {
            throw StoreError("cannot let cdrstore_admin and \(Self.definer) log in on every Citus worker (\(first))")
        }
    }

    /// True when the group roles exist in the cluster (`roles.sql` creates the definer role too,
    /// so a cluster set up by an earlier version gets it on its next `migrate`).
    public func exist() throws -> Bool {
        try connection.execute(
            "SELECT count(*) FROM pg_roles WHERE rolname = ANY ($1::text[])",
            [.text(SQLArray.literal(Self.all.map(\.name)))]
        ).scalar == String(Self.all.count)
    }

    /// Adds `login` to `role`, creating the login (without a password) when it does not exist;
    /// returns true when it created it. An officer login gets `idle_in_transaction_session_timeout`.
    @discardableResult
    public func grant(login: String, role: String) throws -> Bool {
        guard Self.all.contains(where: { $0.name == role }) else {
            throw StoreError(
                "'\(role)' is not a cdrstore role; use one of \(Self.all.map(\.name).joined(separator: ", "))")
        }
        guard !login.isEmpty, login.count <= 63, !login.hasPrefix("cdrstore_"), !login.hasPrefix("pg_") else {
            throw StoreError("'\(login)' cannot be a login: use 1 to 63 characters, not starting with cdrstore_ or pg_")
        }
        guard try exist() else {
            throw StoreError("the cdrstore roles do not exist yet; run cdrstore roles setup first")
        }
        return try connection.transaction {
            // Two grants at once (two demos) would both find the login missing and both create it.
            try connection.execute("SELECT pg_advisory_xact_lock(hashtext('cdrstore'), hashtext('grant'))")
            let held = try rolesHeld(by: login)
            for (first, second) in Self.exclusive {
                let clash = role == first ? second : role == second ? first : nil
                if let clash, held.contains(clash) {
                    throw StoreError(
                        "\(login) is in \(clash) and cannot also be in \(role): who reads the data must not read its audit log"
                    )
                }
            }
            let created = try connection.execute("SELECT 1 FROM pg_roles WHERE rolname = $1", [.text(login)]).rows
                .isEmpty
            if created { try connection.execute("CREATE ROLE \(Self.quoted(login)) LOGIN") }
            try connection.execute("GRANT \(role) TO \(Self.quoted(login))")
            if role == "cdrstore_officer" {
                try connection.execute(
                    "ALTER ROLE \(Self.quoted(login)) SET idle_in_transaction_session_timeout = '\(Self.officerIdleTimeout)'"
                )
            }
            return created
        }
    }

    /// Every login in a cdrstore role, with the roles it holds, by login.
    public func members() throws -> [(login: String, roles: [String])] {
        try connection.execute(
            """
            SELECT m.rolname, string_agg(g.rolname, ' ' ORDER BY g.rolname)
            FROM pg_auth_members AS a JOIN pg_roles AS g ON g.oid = a.roleid JOIN pg_roles AS m ON m.oid = a.member
            WHERE g.rolname = ANY ($1::text[])
            GROUP BY m.rolname ORDER BY m.rolname
            """, [.text(SQLArray.literal(Self.all.map(\.name)))]
        ).rows.map { ($0[0]!, $0[1]!.split(separator: " ").map(String.init)) }
    }

    private func rolesHeld(by login: String) throws -> Set<String> {
        Set(
            try connection.execute(
                """
                SELECT g.rolname FROM pg_auth_members AS a JOIN pg_roles AS g ON g.oid = a.roleid
                JOIN pg_roles AS m ON m.oid = a.member WHERE m.rolname = $1
                """, [.text(login)]
            ).rows.map { $0[0]! })
    }

    /// `name` as a quoted SQL identifier.
    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}
