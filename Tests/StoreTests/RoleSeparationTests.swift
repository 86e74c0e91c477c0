import CDRModel
import Foundation
import Postgres
import Store
import TestSupport
import Testing

/// Each role does its whole job through its own grants, and no more.
@Suite struct RoleSeparationTests {
    @Test func anIngestLoginStoresCallsAndRejectsButReadsNoParty() throws {
        let fixture = try StoreFixture()
        try TestLogins.setUpRoles(in: fixture.conninfo)
        let login = try TestLogins.create("ingest", role: "cdrstore_ingest", in: fixture.conninfo)
        let ingestLogin = TestLogins.conninfo(fixture.conninfo, as: login)
        let ingest = try Connection(ingestLogin)
        let file = try fixture.folder.write("Master.csv", StoreFixture.lines(0..<20) + "not,a,record\n")
        let first = try fixture.ingest(file, as: ingestLogin)
        #expect(first.ingested == 20 && first.rejected == 1)
        #expect(
            try fixture.ingest(try fixture.folder.write("copy.csv", StoreFixture.lines(0..<25)), as: ingestLogin)
                .ingested
                == 5)
        #expect(try fixture.callCount() == 25)
        for statement in ["SELECT source FROM cdr.call", "SELECT * FROM cdr.reject", "SELECT * FROM cdr.hold"] {
            let error = #expect(throws: PostgresError.self) { try ingest.execute(statement) }
            #expect(error?.description.contains("permission denied") == true, "\(statement)")
        }
    }

    @Test func aBillingLoginBillsAMonthAndMarksItPaid() throws {
        let fixture = try RetentionFixture()
        try TestLogins.setUpRoles(in: fixture.conninfo)
        let login = try TestLogins.create("billing", role: "cdrstore_billing", in: fixture.conninfo)
        let billing = try Connection(TestLogins.conninfo(fixture.conninfo, as: login))
        try fixture.insertCalls(["2026-10-03T10:00:00Z", "2026-10-04T10:00:00Z"], destination: "+46812345678")
        let folder = try TemporaryFolder()
        let tariff = """
            plan,prefix,description,connect_fee,rate_per_minute,first_increment_s,increment_s,valid_from,currency
            biz,46,Sweden,0,0.1200,60,60,2020-01-01,SEK

            """
        _ = try Tariffs(connection: billing).importFile(path: try folder.write("rates.csv", tariff))
        try BillingAccounts(connection: billing).set(account: "acme", plan: "biz", currency: nil, zone: nil)
        let outcome = try BillingRun(connection: billing).bill(
            period: try BillingPeriod(parsing: "2026-10"), account: nil, now: Instant.parse("2026-11-05")!)
        let invoice = try #require(outcome.issued.first)
        #expect(outcome.issued.count == 1 && invoice.total == 2 * 1200)
        try Invoices(connection: billing).markPaid(id: invoice.id)
        #expect(
            try fixture.count("SELECT count(*) FROM cdr.hold WHERE kind = 'billing' AND released_at IS NOT NULL") == 1)
    }

    @Test func anAdminLoginRunsRetentionThatDropsWholeDays() throws {
        let fixture = try RetentionFixture()
        try fixture.insertCalls(["2024-01-10T10:00:00Z", "2024-01-11T10:00:00Z", "2026-10-01T10:00:00Z"])
        try TestLogins.setUpRoles(in: fixture.conninfo)
        let login = try TestLogins.create("admin", role: "cdrstore_admin", in: fixture.conninfo)
        let admin = try Connection(TestLogins.conninfo(fixture.conninfo, as: login))
        try fixture.insertCalls(["2024-01-12T10:00:00Z"])
        let report = try RetentionRunner(connection: admin).run(
            asOf: Instant.parse("2026-11-01")!, now: Instant.parse("2026-11-01")!, dryRun: false)
        #expect(report.days.map(\.rowsRemoved).reduce(0, +) == 3)
        #expect(try fixture.partitionDays() == ["2026-10-01"])
    }
}
