import Foundation
import Handover
import Postgres
import Store
import TestSupport
import Testing

/// Every door a hostile officer with `psql` might try around the audit: none hands out a call
/// before the audit entry recording that disclosure is committed. Real server, real logins.
@Suite struct CommitBeforeDiscloseTests {
    /// A fixture with two calls of the target (one with a party no other test uses) and an approved request.
    private static func prepared() throws -> (LawfulFixture, Int64) {
        let fixture = try LawfulFixture()
        try fixture.store.insertCalls(["2026-03-01T10:00:00Z"], source: LawfulFixture.target)
        try fixture.store.insertCalls(
            ["2026-03-02T11:00:00Z"], source: Self.secretParty, destination: LawfulFixture.target)
        return (fixture, try fixture.approvedRequest())
    }

    /// What a DBA or retention may do between the two steps of a lookup, by name.
    private static let removalDoors: [(String, String)] =
        [
            ("DELETE", "DELETE FROM cdr.call WHERE start_time = '2026-03-01T18:00:00Z'"),
            ("UPDATE", "UPDATE cdr.call SET duration_s = duration_s + 1 WHERE start_time = '2026-03-02T11:00:00Z'"),
            ("DELETE preserved", "DELETE FROM cdr.preserved_call"),
        ]

    /// A number that appears only in the call data, never in a request or criteria.
    private static let secretParty = "+46855501234"

    private static func lookup(_ id: Int64) -> String {
        "SELECT lawful.lookup(\(id), '\(LawfulFixture.target)', NULL, NULL)"
    }

    /// Runs `sql` on `connection` expecting a refusal that discloses no call; returns its text.
    private static func refused(_ connection: Connection, _ sql: String) -> String {
        let error = #expect(throws: PostgresError.self) { try connection.executeScript(sql) }
        let text = error?.description ?? ""
        #expect(!text.contains(secretParty), "\(text)")
        return text
    }

    @Test func aRolledBackLookupOrSubjectExportDisclosesNothingAndLeavesNoEntry() throws {
        let (fixture, id) = try Self.prepared()
        let before = try fixture.audit().count
        for (connection, audited) in [
            (fixture.alice, Self.lookup(id)),
            (fixture.admin, "SELECT lawful.subject_export('\(LawfulFixture.target)')"),
        ] {
            try connection.execute("BEGIN")
            let entry = try connection.execute(audited).scalar!
            let inside = Self.refused(connection, "SELECT * FROM lawful.disclose(\(entry))")
            #expect(inside.contains("audit entry \(entry) is not committed (its transaction is in progress)"))
            try connection.execute("ROLLBACK")
            #expect(try fixture.audit().count == before)
            let after = Self.refused(connection, "SELECT * FROM lawful.disclose(\(entry))")
            #expect(after.contains("is not a lookup or subject export of yours"))
        }
    }

    @Test func aSavepointACursorADoBlockOrACastGetsNoCallOut() throws {
        let (fixture, id) = try Self.prepared()
        let disclosed = "lawful.disclose(\(Self.lookup(id).dropFirst("SELECT ".count)))"
        for door in [
            "BEGIN; SAVEPOINT s; SELECT * FROM \(disclosed)",
            "BEGIN; DECLARE c CURSOR FOR SELECT * FROM \(disclosed); FETCH ALL FROM c",
            "DO $$ BEGIN RAISE EXCEPTION '%', (SELECT d.calls::text FROM \(disclosed) AS d); END $$",
            "SELECT left(d.calls::text, 300)::int FROM \(disclosed) AS d",
            "SELECT (\(disclosed)).calls",
        ] {
            let text = Self.refused(fixture.alice, door)
            #expect(text.contains("is not committed (its transaction is in progress)"), "\(door): \(text)")
            try fixture.alice.execute("ROLLBACK")
        }
        try fixture.alice.executeScript("BEGIN; SAVEPOINT s; \(Self.lookup(id)); ROLLBACK TO s")
        let entry = try fixture.alice.execute(Self.lookup(id)).scalar!
        _ = Self.refused(fixture.alice, "SELECT * FROM lawful.disclose(\(entry))")
        try fixture.alice.execute("ROLLBACK")
        #expect(!(try fixture.audit().contains { $0.action == "lookup" }))
    }

    @Test func aPreparedTransactionDisclosesNothingUntilItCommits() throws {
        let (fixture, id) = try Self.prepared()
        let gid = "cdrstore-test-\(UInt32.random(in: 0...UInt32.max))"
        try fixture.alice.execute("BEGIN")
        let entry = try fixture.alice.execute(Self.lookup(id)).scalar!
        try fixture.alice.execute("PREPARE TRANSACTION '\(gid)'")
        let prepared = Self.refused(fixture.alice, "SELECT * FROM lawful.disclose(\(entry))")
        #expect(prepared.contains("is not a lookup or subject export of yours"))
        try fixture.alice.execute("ROLLBACK PREPARED '\(gid)'")
        #expect(!(try fixture.audit().contains { $0.action == "lookup" }))
    }

    @Test func anotherLoginsEntryOrASecondSessionsOpenEntryIsRefused() throws {
        let (fixture, id) = try Self.prepared()
        let entry = try fixture.alice.execute(Self.lookup(id)).scalar!
        for other in [fixture.bob, fixture.admin] {
            let text = Self.refused(other, "SELECT * FROM lawful.disclose(\(entry))")
            #expect(text.contains("is not a lookup or subject export of yours"))
        }
        let secondSession = try Connection(TestLogins.conninfo(fixture.store.conninfo, as: fixture.aliceLogin))
        try fixture.alice.execute("BEGIN")
        let open = try fixture.alice.execute(Self.lookup(id)).scalar!
        let raced = Self.refused(secondSession, "SELECT * FROM lawful.disclose(\(open))")
        #expect(raced.contains("is not a lookup or subject export of yours"))
        try fixture.alice.execute("COMMIT")
        let calls = try secondSession.execute("SELECT records FROM lawful.disclose(\(open))").scalar
        #expect(calls == "2")
    }

    @Test func anEntryOfAClosedRequestAStaleOneOrARemovalSinceIsRefused() throws {
        let (fixture, id) = try Self.prepared()
        // A call stored after step 1 is not what the entry audited: step 2 hands out the audited two.
        let beforeLate = try fixture.alice.execute(Self.lookup(id)).scalar!
        try fixture.store.insertCalls(["2026-03-01T18:00:00Z"], source: LawfulFixture.target)
        let audited = try fixture.alice.execute(
            "SELECT records, result_sha256 FROM lawful.disclose(\(beforeLate))"
        ).rows
        let entry = try fixture.audit().first { $0.sequence == Int64(beforeLate)! }
        #expect(audited == [["2", entry?.resultSHA256]])

        for (door, sql) in Self.removalDoors {
            let entry = try fixture.alice.execute(Self.lookup(id)).scalar!
            try fixture.store.connection.executeScript(sql)
            let text = Self.refused(fixture.alice, "SELECT * FROM lawful.disclose(\(entry))")
            #expect(text.contains("calls were removed or changed after audit entry \(entry) was written"), "\(door)")
        }
        let retained = try fixture.alice.execute(Self.lookup(id)).scalar!
        // 24 months after the end of 2026-03-01: that day expires whole, its partition is dropped
        // (no DELETE that a trigger would see).
        #expect(try fixture.store.run(asOf: "2028-03-02T00:00:00Z").days.map(\.action) == [.drop])
        let afterRetention = Self.refused(fixture.alice, "SELECT * FROM lawful.disclose(\(retained))")
        #expect(afterRetention.contains("calls were removed or changed after audit entry \(retained) was written"))

        let stale = try fixture.alice.execute(Self.lookup(id)).scalar!
        try fixture.store.connection.executeScript(
            """
            BEGIN; SET LOCAL session_replication_role = replica;
            UPDATE lawful.audit SET at = at - interval '11 minutes' WHERE seq = \(stale); COMMIT
            """)
        let old = Self.refused(fixture.alice, "SELECT * FROM lawful.disclose(\(stale))")
        #expect(old.contains("within 10 minutes of its entry"))

        let closed = try fixture.alice.execute(Self.lookup(id)).scalar!
        try LegalRequests(connection: fixture.bob).close(id)
        let text = Self.refused(fixture.alice, "SELECT * FROM lawful.disclose(\(closed))")
        #expect(text.contains("was closed by \(fixture.bobLogin)"))
    }

    @Test func aRefusalIsACommittedEntryAndTheOfficerGetsThePlainError() throws {
        let (fixture, _) = try Self.prepared()
        let unapproved = try fixture.approvedRequest(number: "2026-000124", approve: false)
        let named = try fixture.approvedRequest(number: "2026-000125")
        let cases: [(Int64, String, String)] = [
            (unapproved, LawfulFixture.target, "is not approved yet"),
            (named, "+46700000000", "does not name this identifier"),
            (424_242, LawfulFixture.target, "there is no legal request 424242"),
        ]
        for (request, identifier, reason) in cases {
            let found = #expect(throws: PostgresError.self) {
                _ = try LawfulDisclosures(connection: fixture.alice).lookup(
                    request: request,
                    identifier: try LookupIdentifier(identifier, normaliser: LawfulFixture.normaliser),
                    from: nil, to: nil)
            }
            #expect(found?.description.contains(reason) == true, "\(found?.description ?? "")")
        }
        let refusals = try fixture.audit().filter { $0.action == "lookup-refused" }
        #expect(refusals.map(\.requestID) == [unapproved, named, 424_242])
        #expect(refusals.allSatisfy { $0.login == fixture.aliceLogin && $0.records == 0 && $0.resultSHA256 == nil })
        #expect(zip(refusals, cases).allSatisfy { $0.criteria.contains($1.2) && $0.criteria.contains($1.1) })
        #expect(AuditChain.firstBreak(in: try fixture.audit()) == nil)
    }

    @Test func onlyAnOfficerLoginRegistersOrApprovesAndNeverItsOwn() throws {
        let fixture = try LawfulFixture()
        let bySuperuser = #expect(throws: PostgresError.self) {
            _ = try LegalRequests(connection: fixture.store.connection).create(
                LegalRequests.Draft(
                    countryCode: "SE", authority: "A", number: "S-1", legalBasis: "B", decisionBy: "court",
                    decisionReference: "R", identifiers: [], authorisedFrom: 0, authorisedTo: 1, deadline: nil))
        }
        #expect(bySuperuser?.description.contains("is not an officer login") == true)
        let id = try fixture.approvedRequest(approve: false)
        let approvedBySuperuser = #expect(throws: PostgresError.self) {
            try LegalRequests(connection: fixture.store.connection).approve(id)
        }
        #expect(approvedBySuperuser?.description.contains("is not an officer login") == true)
        let byAdmin = #expect(throws: PostgresError.self) { try LegalRequests(connection: fixture.admin).approve(id) }
        #expect(byAdmin?.description.contains("permission denied for function approve_request") == true)
        let own = #expect(throws: PostgresError.self) { try LegalRequests(connection: fixture.alice).approve(id) }
        #expect(own?.description.contains("four-eyes rule") == true)
        try LegalRequests(connection: fixture.bob).approve(id)
    }

    @Test func theFunctionsRunAsTheNologinRoleAndOfficersEndIdleTransactions() throws {
        let (fixture, id) = try Self.prepared()
        let owners = try AuditLog(connection: fixture.auditor).definerOwners()
        #expect(owners.map(\.function).contains("lawful.disclose(bigint)"))
        #expect(owners.allSatisfy { $0.owner == Roles.definer && !$0.ownerIsLogin && $0.ownerMembers.isEmpty })
        #expect(AuditLog.ownershipProblem(owners) == nil)
        #expect(
            try fixture.alice.execute("SHOW idle_in_transaction_session_timeout").scalar == Roles.officerIdleTimeout)

        try fixture.alice.execute("BEGIN")
        _ = try fixture.alice.execute(Self.lookup(id))
        let waited = Date()
        let found = try fixture.lookupAs(fixture.bob, id)
        #expect(found.calls.count == 2)
        #expect(Date().timeIntervalSince(waited) >= 4)
        #expect(throws: PostgresError.self) { try fixture.alice.execute("SELECT 1") }
    }

    @Test func twoOfficersRacingEachGetTheirOwnEntriesAndTheChainHolds() throws {
        let (fixture, id) = try Self.prepared()
        let conninfos = [fixture.aliceLogin, fixture.bobLogin].map {
            TestLogins.conninfo(fixture.store.conninfo, as: $0)
        }
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            do {
                let officer = try Connection(conninfos[index])
                for _ in 0..<15 {
                    let found = try LawfulDisclosures(connection: officer).lookup(
                        request: id,
                        identifier: try LookupIdentifier(LawfulFixture.target, normaliser: LawfulFixture.normaliser),
                        from: nil, to: nil)
                    if found.calls.count != 2 { failures.add("\(index): \(found.calls.count) calls") }
                }
            } catch {
                failures.add("\(index): \(error)")
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all)")
        let lookups = try fixture.audit().filter { $0.action == "lookup" }
        #expect(lookups.count == 30)
        #expect(Set(lookups.map(\.login)) == [fixture.aliceLogin, fixture.bobLogin])
        #expect(AuditChain.firstBreak(in: try fixture.audit()) == nil)
    }
}

/// Failures collected from concurrent work.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []

    func add(_ failure: String) { lock.withLock { list.append(failure) } }
    var all: [String] { lock.withLock { list } }
}

extension LawfulFixture {
    /// A lookup of the target on request `id` by the officer on `connection`.
    func lookupAs(_ connection: Connection, _ id: Int64) throws -> Disclosure {
        try LawfulDisclosures(connection: connection).lookup(
            request: id, identifier: try LookupIdentifier(Self.target, normaliser: Self.normaliser), from: nil,
            to: nil)
    }
}
