import CDRModel
import Handover
import Postgres
import Store

extension DemoCommand {
    /// The demo's officers and auditor. A superuser acts as each with SET SESSION AUTHORIZATION,
    /// which is how the database sees a real login.
    static let demoLogins = (first: "demo_officer_a", second: "demo_officer_b", auditor: "demo_auditor")

    /// Sets up the roles, registers a legal request as one officer, approves it as another, looks
    /// up `identifier` under it (the audit entry committed before the calls are handed out) and
    /// verifies the audit log and who owns its functions as the auditor.
    func auditedLookup(_ connection: Connection, identifier: LookupIdentifier) throws {
        let roles = Roles(connection: connection)
        do {
            try roles.setup()
        } catch let error as PostgresError {
            Output.line("skipped: setting up the roles needs a superuser login (\(error.description))")
            return
        }
        let logins = Self.demoLogins
        try roles.grant(login: logins.first, role: "cdrstore_officer")
        try roles.grant(login: logins.second, role: "cdrstore_officer")
        try roles.grant(login: logins.auditor, role: "cdrstore_auditor")
        let windowStart = Int64(Self.firstDayOfThisMonth - days) * 86_400_000_000
        let draft = LegalRequests.Draft(
            countryCode: "SE", authority: "Demo authority", number: "DEMO-\(identifier.text)", legalBasis: "demo",
            decisionBy: "court", decisionReference: "demo decision", identifiers: [identifier],
            authorisedFrom: windowStart, authorisedTo: Int64(Self.firstDayOfThisMonth) * 86_400_000_000, deadline: nil)
        let (id, created) = try acting(as: logins.first, on: connection) {
            try LegalRequests(connection: connection).create(draft)
        }
        // The second officer approves it, unless an earlier demo did, or one running now beat us to it.
        do {
            try acting(as: logins.second, on: connection) { try LegalRequests(connection: connection).approve(id) }
        } catch let error as PostgresError where error.message.contains("was already approved") {}
        if created {
            Output.line("\(logins.first) registered legal request \(id); \(logins.second) approved it (four eyes)")
        } else {
            Output.line("legal request \(id) for \(identifier.text) exists from an earlier run, approved")
        }
        let found = try acting(as: logins.first, on: connection) {
            try LawfulDisclosures(connection: connection).lookup(
                request: id, identifier: identifier, from: nil, to: nil)
        }
        Output.line(
            "\(logins.first) looked up \(identifier.text): \(found.calls.count) calls, audit entry "
                + "\(found.auditSequence) (result sha256 \(found.resultSHA256.prefix(16))…); the latest:")
        let latest = found.calls.suffix(5).reversed()
        Output.line(
            TextTable.render(
                headers: ["start_utc", "source", "destination", "disposition", "duration_s", "stored"],
                rows: latest.map {
                    [$0.startTime, $0.source, $0.destination, $0.disposition, String($0.durationSeconds), $0.stored]
                }))
        let (verdict, owners) = try acting(as: logins.auditor, on: connection) {
            let log = AuditLog(connection: connection)
            return (try log.verify(), try log.definerOwners())
        }
        Output.line(
            verdict.firstBreak.map { "audit log NOT intact: \($0)" }
                ?? "\(logins.auditor) verified the audit log: \(verdict.entries) entries, chain intact")
        Output.line(
            AuditLog.ownershipProblem(owners).map { "lawful-access functions NOT safely owned: \($0)" }
                ?? "the \(owners.count) lawful-access functions run as \(Roles.definer), a role nobody logs in as")
    }

    /// Runs `body` with `login` as the session's user, then returns to the original login.
    private func acting<T>(as login: String, on connection: Connection, _ body: () throws -> T) throws -> T {
        try connection.execute("SET SESSION AUTHORIZATION \"\(login)\"")
        defer { _ = try? connection.execute("RESET SESSION AUTHORIZATION") }
        return try body()
    }
}
