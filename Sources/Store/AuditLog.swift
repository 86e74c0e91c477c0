import Handover
import Postgres

/// The lawful-access audit log as an auditor reads it.
public struct AuditLog {
    private let connection: Connection

    /// Creates a reader on a connection (an auditor's: officers cannot read the log).
    public init(connection: Connection) { self.connection = connection }

    /// Every entry in sequence order, or only those of one request.
    public func entries(request: Int64? = nil) throws -> [AuditEntry] {
        try connection.execute(
            """
            SELECT seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), login, action, request_id,
                   criteria, records, encode(result_sha256, 'hex'), encode(prev_hash, 'hex'), encode(entry_hash, 'hex')
            FROM lawful.audit WHERE $1::bigint IS NULL OR request_id = $1 ORDER BY seq
            """, [.optional(request.map(String.init))]
        ).rows.map { row in
            AuditEntry(
                sequence: Int64(row[0]!)!, at: row[1]!, login: row[2]!, action: row[3]!,
                requestID: row[4].flatMap(Int64.init),
                criteria: row[5]!, records: Int64(row[6]!)!, resultSHA256: row[7], previousHash: row[8]!,
                entryHash: row[9]!)
        }
    }

    /// Recomputes the whole chain: nil when intact, else the first entry that breaks it; with the
    /// number of entries read.
    public func verify() throws -> (entries: Int, head: String?, firstBreak: AuditChain.Break?) {
        let all = try entries()
        return (all.count, all.last?.entryHash, AuditChain.firstBreak(in: all))
    }

    /// Who owns one SECURITY DEFINER function of lawful access, whose rights it runs with.
    public struct DefinerOwner: Sendable, Equatable {
        /// The function's signature, e.g. `lawful.disclose(bigint)`.
        public var function: String
        /// The role that owns it.
        public var owner: String
        /// Whether that role can log in or is a superuser (it must be neither).
        public var ownerIsLogin: Bool
        /// The roles that are members of the owner (there must be none).
        public var ownerMembers: [String]

        /// Creates a record of one function's owner.
        public init(function: String, owner: String, ownerIsLogin: Bool, ownerMembers: [String]) {
            self.function = function
            self.owner = owner
            self.ownerIsLogin = ownerIsLogin
            self.ownerMembers = ownerMembers
        }
    }

    /// The owner of every SECURITY DEFINER function in schema `lawful`, by signature.
    public func definerOwners() throws -> [DefinerOwner] {
        try connection.execute(
            """
            SELECT p.oid::regprocedure::text, o.rolname, o.rolcanlogin OR o.rolsuper,
                   coalesce((SELECT string_agg(m.rolname, ' ' ORDER BY m.rolname) FROM pg_auth_members AS a
                             JOIN pg_roles AS m ON m.oid = a.member WHERE a.roleid = o.oid), '')
            FROM pg_proc AS p JOIN pg_roles AS o ON o.oid = p.proowner
            WHERE p.pronamespace = 'lawful'::regnamespace AND p.prosecdef ORDER BY 1
            """
        ).rows.map {
            DefinerOwner(
                function: $0[0]!, owner: $0[1]!, ownerIsLogin: $0[2] == "t",
                ownerMembers: $0[3]!.split(separator: " ").map(String.init))
        }
    }

    /// What is wrong with `owners`, or nil: each function must be owned by the NOLOGIN role
    /// `Roles.definer`, which no one is a member of.
    public static func ownershipProblem(_ owners: [DefinerOwner]) -> String? {
        if owners.isEmpty { return "schema lawful has no SECURITY DEFINER function; run cdrstore migrate" }
        if let wrong = owners.first(where: { $0.owner != Roles.definer || $0.ownerIsLogin }) {
            return "\(wrong.function) runs with the rights of \(wrong.owner)"
                + (wrong.ownerIsLogin ? ", a login or superuser," : "")
                + " instead of the NOLOGIN role \(Roles.definer); run cdrstore roles setup as a superuser"
        }
        if let shared = owners.first(where: { !$0.ownerMembers.isEmpty }) {
            return "\(shared.ownerMembers.joined(separator: ", ")) can act as \(shared.owner), which owns the "
                + "lawful-access functions; run cdrstore roles setup as a superuser to revoke it"
        }
        return nil
    }
}
