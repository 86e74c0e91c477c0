import CDRModel
import Handover
import Postgres
import Store
import TestSupport

/// A migrated database with the roles set up, calls of known parties, two officers, an auditor,
/// a billing login and an admin login, each with a connection of their own.
struct LawfulFixture {
    let store: RetentionFixture
    let alice: Connection
    let bob: Connection
    let auditor: Connection
    let billing: Connection
    let admin: Connection
    let aliceLogin: String
    let bobLogin: String

    /// The party the requests are about.
    static let target = "+46701234567"
    static let normaliser = NumberNormaliser(countryCode: "46")

    init() throws {
        let store = try RetentionFixture()
        try TestLogins.setUpRoles(in: store.conninfo)
        self.store = store
        (aliceLogin, alice) = try Self.login("alice", "cdrstore_officer", store)
        (bobLogin, bob) = try Self.login("bob", "cdrstore_officer", store)
        auditor = try Self.login("carol", "cdrstore_auditor", store).1
        billing = try Self.login("dave", "cdrstore_billing", store).1
        admin = try Self.login("erin", "cdrstore_admin", store).1
    }

    private static func login(_ name: String, _ role: String, _ store: RetentionFixture) throws -> (String, Connection)
    {
        let login = try TestLogins.create(name, role: role, in: store.conninfo)
        return (login, try Connection(TestLogins.conninfo(store.conninfo, as: login)))
    }

    /// A request registered by alice for `target` over 2026, approved by bob unless told not to.
    func approvedRequest(number: String = "2026-000123", identifiers: [String] = [target], approve: Bool = true) throws
        -> Int64
    {
        let id = try LegalRequests(connection: alice).create(
            LegalRequests.Draft(
                countryCode: "SE", authority: "Polismyndigheten", number: number, legalBasis: "RB27_19",
                decisionBy: "court", decisionReference: "B 1234-26",
                identifiers: try identifiers.map { try LookupIdentifier($0, normaliser: Self.normaliser) },
                authorisedFrom: Instant.parse("2026-01-01")!, authorisedTo: Instant.parse("2027-01-01")!,
                deadline: nil)
        ).id
        if approve { try LegalRequests(connection: bob).approve(id) }
        return id
    }

    /// Alice's lookup of `identifier` on request `id`.
    func lookup(_ id: Int64, _ identifier: String = target, from: String? = nil, to: String? = nil) throws -> Disclosure
    {
        try LawfulDisclosures(connection: alice).lookup(
            request: id, identifier: try LookupIdentifier(identifier, normaliser: Self.normaliser),
            from: from.flatMap(Instant.parse), to: to.flatMap(Instant.parse))
    }

    /// Puts a copy of the live call starting at `start` into the preserved store, moved to `moved`
    /// (as if a hold had kept it when its day was dropped).
    func preservedCopy(of start: String, at moved: String) throws {
        try store.connection.execute(
            """
            INSERT INTO cdr.preserved_call (start_time, answer_time, end_time, duration_s, billable_s, source,
                destination, source_ip, call_type, disposition, equipment, account, feed, record_key, record_hash,
                hold_ids)
            SELECT $2::timestamptz, $2::timestamptz, $2::timestamptz + (end_time - start_time), duration_s, billable_s,
                   source, destination, source_ip, call_type, disposition, equipment, account, feed, record_key,
                   record_hash, '{1}'
            FROM cdr.call WHERE start_time = $1::timestamptz
            """, [.text(start), .text(moved)])
    }

    /// The audit log as the auditor reads it.
    func audit() throws -> [AuditEntry] { try AuditLog(connection: auditor).entries() }
}
