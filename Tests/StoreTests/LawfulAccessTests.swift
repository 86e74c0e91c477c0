import CDRModel
import Foundation
import Handover
import Postgres
import Store
import Testing

/// Legal requests, audited lookups and the roles, against a real PostgreSQL with real logins.
@Suite struct LawfulAccessTests {
    @Test func aRequestNeedsASecondOfficerAndIsRegisteredOnce() throws {
        let fixture = try LawfulFixture()
        let id = try fixture.approvedRequest(approve: false)
        let selfApproval = #expect(throws: PostgresError.self) {
            try LegalRequests(connection: fixture.alice).approve(id)
        }
        #expect(selfApproval?.description.contains("four-eyes rule") == true)
        try LegalRequests(connection: fixture.bob).approve(id)
        let again = try LegalRequests(connection: fixture.bob).create(
            LegalRequests.Draft(
                countryCode: "SE", authority: "Polismyndigheten", number: "2026-000123", legalBasis: "other",
                decisionBy: "prosecutor", decisionReference: "X", identifiers: [], authorisedFrom: 0,
                authorisedTo: 1_000_000, deadline: nil))
        #expect(again.id == id && !again.created)
        let row = try LegalRequests(connection: fixture.alice).list(id: id).rows[0]
        let values = Dictionary(uniqueKeysWithValues: zip(LegalRequests.columns, row))
        #expect(values["created_by"] == fixture.aliceLogin)
        #expect(values["approved_by"] == fixture.bobLogin)
        #expect(values["legal_basis"] == "RB27_19")
        #expect(values["state"] == "approved")
        #expect(try fixture.audit().map(\.action) == ["request-create", "request-approve"])
    }

    @Test func aLookupFindsLiveAndPreservedCallsInsideTheClippedWindowAndIsAudited() throws {
        let fixture = try LawfulFixture()
        let target = LawfulFixture.target
        try fixture.store.insertCalls(["2026-03-01T10:00:00Z"], source: target)
        try fixture.store.insertCalls(["2026-03-02T11:00:00Z"], source: "+46811111111", destination: target)
        try fixture.store.insertCalls(
            ["2026-03-03T12:00:00Z"], source: "+46822222222", destination: "+46833333333", sourceIP: "192.0.2.10")
        try fixture.store.insertCalls(["2025-12-31T23:59:59Z", "2027-01-01T00:00:00Z"], source: target)
        try fixture.store.insertCalls(["2026-03-04T09:00:00Z"], source: "+46899999999")
        try fixture.preservedCopy(of: "2026-03-01T10:00:00Z", at: "2026-02-01T08:00:00Z")
        try fixture.preservedCopy(of: "2026-03-02T11:00:00Z", at: "2026-03-02T11:00:00Z")
        let id = try fixture.approvedRequest(identifiers: [])
        let found = try fixture.lookup(id, "0701234567", from: "2020-01-01", to: "2030-01-01")
        #expect(
            found.calls.map(\.startTime) == [
                "2026-02-01T08:00:00.000000Z", "2026-03-01T10:00:00.000000Z", "2026-03-02T11:00:00.000000Z",
            ])
        #expect(found.calls.map(\.stored) == ["preserved", "live", "live"])
        #expect(found.calls.map(\.recordNumber) == [1, 2, 3])
        #expect(found.clipped)
        #expect(found.windowFrom == "2026-01-01T00:00:00.000000Z" && found.windowTo == "2027-01-01T00:00:00.000000Z")
        let byAddress = try fixture.lookup(id, "192.0.2.10")
        #expect(byAddress.calls.map(\.source) == ["+46822222222"] && !byAddress.clipped)
        let entries = try fixture.audit()
        #expect(entries.map(\.action) == ["request-create", "request-approve", "lookup", "lookup"])
        #expect(entries[2].records == 3 && entries[2].resultSHA256 == found.resultSHA256)
        #expect(entries[2].resultSHA256 == Disclosure.digest(of: found.calls))
        #expect(entries[2].criteria.contains("\"clipped\": true"))
        #expect(entries[2].criteria.contains("\"requested_from\": \"2020-01-01T00:00:00.000000Z\""))
        #expect(entries[2].login == fixture.aliceLogin && entries[2].requestID == id)
        #expect(entries[3].criteria.contains("\"identifier\": \"192.0.2.10\""))
    }

    @Test func aLookupIsRefusedWithoutAnApprovedOpenRequestOrOutsideItsWindow() throws {
        let fixture = try LawfulFixture()
        try fixture.store.insertCalls(["2026-03-01T10:00:00Z"], source: LawfulFixture.target)
        let unapproved = try fixture.approvedRequest(number: "1", approve: false)
        let closed = try fixture.approvedRequest(number: "2")
        try LegalRequests(connection: fixture.bob).close(closed)
        let open = try fixture.approvedRequest(number: "3")
        let cases: [(() throws -> Disclosure, String)] = [
            ({ try fixture.lookup(unapproved) }, "is not approved yet"),
            ({ try fixture.lookup(closed) }, "was closed by"),
            ({ try fixture.lookup(999_999) }, "there is no legal request 999999"),
            ({ try fixture.lookup(open, from: "2028-01-01", to: "2029-01-01") }, "lies outside the authorised window"),
            ({ try fixture.lookup(open, "+46700000000") }, "does not name this identifier"),
        ]
        for (lookup, message) in cases {
            let error = #expect(throws: PostgresError.self) { _ = try lookup() }
            #expect(
                error?.description.contains(message) == true, "\(error?.description ?? "no error"); want \(message)")
        }
        let entries = try fixture.audit()
        #expect(!entries.contains { $0.action == "lookup" })
        #expect(entries.filter { $0.action == "lookup-refused" }.count == cases.count)
    }

    @Test func hostileIdentifiersAreDataNotSQL() throws {
        let fixture = try LawfulFixture()
        try fixture.store.insertCalls(["2026-03-01T10:00:00Z"], source: LawfulFixture.target)
        let id = try fixture.approvedRequest(identifiers: [])
        let hostile = "x'); DELETE FROM cdr.call; SELECT ('"
        let found = try fixture.lookup(id, hostile)
        #expect(found.calls.isEmpty)
        #expect(try fixture.store.count("SELECT count(*) FROM cdr.call") == 1)
        #expect(try fixture.audit().last?.criteria.contains("DELETE FROM cdr.call") == true)
        let long = String(repeating: "9", count: 257)
        #expect(throws: StoreError.self) { _ = try LookupIdentifier(long, normaliser: LawfulFixture.normaliser) }
        let refusal = try fixture.alice.execute(
            "SELECT lawful.lookup($1, $2, NULL, NULL)", [.text(String(id)), .text(long)]
        ).scalar!
        let raw = #expect(throws: PostgresError.self) {
            try fixture.alice.execute("SELECT * FROM lawful.disclose($1)", [.text(refusal)])
        }
        #expect(raw?.description.contains("at most 256 are accepted") == true)
        let nothing = #expect(throws: StoreError.self) {
            _ = try LookupIdentifier(" (-) ", normaliser: LawfulFixture.normaliser)
        }
        #expect(nothing?.description.contains("normalises to nothing") == true)
        let longReference = #expect(throws: PostgresError.self) {
            _ = try LegalRequests(connection: fixture.alice).create(
                LegalRequests.Draft(
                    countryCode: "SE", authority: "A", number: "N", legalBasis: "B", decisionBy: "court",
                    decisionReference: String(repeating: "'", count: 10_000), identifiers: [], authorisedFrom: 0,
                    authorisedTo: 1, deadline: nil))
        }
        #expect(longReference?.description.contains("request_decision_ref_check") == true)
    }

    @Test func anOfficerReadsNoTableOfCallsOrTheLog() throws {
        let fixture = try LawfulFixture()
        for table in ["cdr.call", "cdr.preserved_call", "lawful.audit", "cdr.hold"] {
            let error = #expect(throws: PostgresError.self) { try fixture.alice.execute("SELECT * FROM \(table)") }
            #expect(error?.description.contains("permission denied") == true, "\(table)")
        }
        let append = #expect(throws: PostgresError.self) {
            try fixture.alice.execute("SELECT lawful.append_audit('lookup', NULL, '{}', 0, NULL)")
        }
        #expect(append?.description.contains("permission denied for function append_audit") == true)
        let calls = #expect(throws: PostgresError.self) {
            try fixture.alice.execute("SELECT lawful.calls_of('x', '-infinity', 'infinity', true)")
        }
        #expect(calls?.description.contains("permission denied") == true)
    }

    @Test func billingReadsWhatBillingNeedsAndNothingOfLawfulAccess() throws {
        let fixture = try LawfulFixture()
        try fixture.store.insertCalls(["2026-03-01T10:00:00Z"], source: LawfulFixture.target)
        let id = try fixture.approvedRequest()
        _ = try LegalRequests(connection: fixture.alice).preserve(id, until: WallClockForTests.daysFromNow(30))
        try fixture.store.hold(account: "acme", from: "2026-03-01", to: "2026-04-01", kind: "billing")
        #expect(try fixture.billing.execute("SELECT account, destination, billable_s FROM cdr.call").rows.count == 1)
        #expect(try fixture.billing.execute("SELECT kind FROM cdr.hold").rows.map { $0[0] } == ["billing"])
        for statement in [
            "SELECT source FROM cdr.call", "SELECT * FROM lawful.request", "SELECT * FROM lawful.audit",
            "SELECT * FROM lawful.lookup(\(id), '\(LawfulFixture.target)', NULL, NULL)",
        ] {
            let error = #expect(throws: PostgresError.self) { try fixture.billing.execute(statement) }
            #expect(error?.description.contains("permission denied") == true, "\(statement)")
        }
    }

    @Test func nobodyRewritesTheAuditLogAndASuperuserWhoDoesIsFound() throws {
        let fixture = try LawfulFixture()
        let id = try fixture.approvedRequest()
        _ = try fixture.lookup(id)
        for statement in ["UPDATE lawful.audit SET records = 0", "DELETE FROM lawful.audit", "TRUNCATE lawful.audit"] {
            let error = #expect(throws: PostgresError.self) { try fixture.admin.execute(statement) }
            #expect(error?.description.contains("permission denied") == true, "\(statement)")
            let refused = #expect(throws: PostgresError.self) { try fixture.store.connection.execute(statement) }
            #expect(refused?.description.contains("append-only") == true, "\(statement) as superuser")
        }
        #expect(AuditChain.firstBreak(in: try fixture.audit()) == nil)
        try fixture.store.connection.executeScript(
            """
            BEGIN; SET LOCAL session_replication_role = replica;
            UPDATE lawful.audit SET records = 42 WHERE seq = 3; COMMIT
            """)
        let broken = AuditChain.firstBreak(in: try fixture.audit())
        #expect(broken?.sequence == 3 && broken?.reason.contains("was changed") == true)
    }

    @Test func quickFreezeLastsNinetyDaysAndIsExtendedOnce() throws {
        let fixture = try LawfulFixture()
        let id = try fixture.approvedRequest()
        let requests = LegalRequests(connection: fixture.alice)
        let tooLong = #expect(throws: PostgresError.self) {
            _ = try requests.preserve(id, until: WallClockForTests.daysFromNow(91))
        }
        #expect(tooLong?.description.contains("at most 90 days") == true)
        let hold = try requests.preserve(id, until: WallClockForTests.daysFromNow(89))
        let placed = try fixture.store.connection.execute(
            "SELECT kind, identifiers::text, window_from = '2026-01-01Z', expires_at > now() FROM cdr.hold WHERE id = $1",
            [.text(String(hold))]
        ).rows[0]
        #expect(placed == ["legal", "{+46701234567}", "t", "t"])
        let overExtended = #expect(throws: PostgresError.self) {
            _ = try requests.preserve(id, until: WallClockForTests.daysFromNow(89 + 91))
        }
        #expect(overExtended?.description.contains("at most 90 days later") == true)
        #expect(try requests.preserve(id, until: WallClockForTests.daysFromNow(170)) == hold)
        let twice = #expect(throws: PostgresError.self) {
            _ = try requests.preserve(id, until: WallClockForTests.daysFromNow(171))
        }
        #expect(twice?.description.contains("already extended once") == true)
        try requests.close(id)
        #expect(
            try fixture.store.count(
                "SELECT count(*) FROM cdr.hold WHERE id = $1 AND released_at IS NOT NULL", [.text(String(hold))])
                == 1)
        #expect(try fixture.audit().map(\.action).suffix(3) == ["hold-place", "hold-extend", "request-close"])
    }

    @Test func callsAQuickFreezeKeepsPastTheCeilingAreStillFoundAsPreserved() throws {
        let fixture = try LawfulFixture()
        try fixture.store.insertCalls(["2024-01-10T10:00:00Z", "2024-01-11T10:00:00Z"], source: LawfulFixture.target)
        try fixture.store.insertCalls(["2024-01-10T11:00:00Z"], source: "+46899999999")
        let requests = LegalRequests(connection: fixture.alice)
        let id = try requests.create(
            LegalRequests.Draft(
                countryCode: "SE", authority: "Polismyndigheten", number: "old", legalBasis: "RB27_19",
                decisionBy: "court", decisionReference: "B 1-24",
                identifiers: [try LookupIdentifier(LawfulFixture.target, normaliser: LawfulFixture.normaliser)],
                authorisedFrom: Instant.parse("2024-01-01")!, authorisedTo: Instant.parse("2024-02-01")!,
                deadline: nil),
            preserveUntil: WallClockForTests.daysFromNow(60)
        ).id
        try LegalRequests(connection: fixture.bob).approve(id)
        try fixture.store.run(asOf: "2026-11-01T00:00:00Z")
        #expect(try fixture.store.count("SELECT count(*) FROM cdr.call") == 0)
        let found = try fixture.lookup(id)
        #expect(found.calls.map(\.startTime) == ["2024-01-10T10:00:00.000000Z", "2024-01-11T10:00:00.000000Z"])
        #expect(found.calls.allSatisfy { $0.stored == "preserved" })
    }

    @Test func anExportIsRecordedOnlyByTheOfficerWhoLookedUp() throws {
        let fixture = try LawfulFixture()
        let id = try fixture.approvedRequest()
        let found = try fixture.lookup(id)
        let digest = SHA256Digest.of(Array("file".utf8))
        let stranger = #expect(throws: PostgresError.self) {
            _ = try LawfulDisclosures(connection: fixture.bob).recordExport(
                lookupSequence: found.auditSequence, format: "csv", fileName: "x.csv", sha256: digest)
        }
        #expect(stranger?.description.contains("is not a lookup of yours") == true)
        let entry = try LawfulDisclosures(connection: fixture.alice).recordExport(
            lookupSequence: found.auditSequence, format: "csv", fileName: "x.csv", sha256: digest)
        let exported = try fixture.audit().first { $0.sequence == entry }
        #expect(exported?.action == "export" && exported?.resultSHA256 == SHA256Digest.hex(digest))
        #expect(exported?.requestID == id)
    }

    @Test func aSubjectExportShowsLiveCallsOnlyAndIsAudited() throws {
        let fixture = try LawfulFixture()
        try fixture.store.insertCalls(["2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z"], source: LawfulFixture.target)
        try fixture.preservedCopy(of: "2026-03-01T10:00:00Z", at: "2025-01-01T00:00:00Z")
        let export = try LawfulDisclosures(connection: fixture.admin).subjectExport(
            identifier: try LookupIdentifier(LawfulFixture.target, normaliser: LawfulFixture.normaliser))
        #expect(export.calls.map(\.startTime) == ["2026-03-01T10:00:00.000000Z", "2026-03-02T10:00:00.000000Z"])
        #expect(export.calls.allSatisfy { $0.stored == "live" })
        let entry = try fixture.audit().last
        #expect(entry?.action == "subject-export" && entry?.requestID == nil && entry?.records == 2)
        #expect(throws: PostgresError.self) {
            _ = try LawfulDisclosures(connection: fixture.alice).subjectExport(
                identifier: try LookupIdentifier(LawfulFixture.target, normaliser: LawfulFixture.normaliser))
        }
    }
}

/// Moments relative to the real clock, which the database's `now()` also follows.
enum WallClockForTests {
    static func daysFromNow(_ days: Int64) -> Int64 {
        Int64(Date().timeIntervalSince1970 * 1_000_000) + days * 86_400_000_000
    }
}
