import Billing
import CDRModel
import Foundation
import Postgres
import Store
import TestSupport
import Testing

/// A migrated database with a tariff imported and calls inserted at chosen instants, for billing tests.
private struct BillingFixture {
    let connection: Connection
    let folder: TemporaryFolder
    /// After October 2026 has ended everywhere.
    static let now = Instant.parse("2026-11-05T00:00:00Z")!

    init(tariff: String = BillingFixture.tariff) throws {
        connection = try Connection(try TestDatabase.createMigrated(prefix: "bill"))
        folder = try TemporaryFolder()
        _ = try Tariffs(connection: connection).importFile(path: try folder.write("rates.csv", tariff))
    }

    /// Plan `biz` in SEK; `Sweden mobile` gets cheaper from 2026-10-15.
    static let tariff = """
        plan,prefix,description,connect_fee,rate_per_minute,first_increment_s,increment_s,valid_from,currency
        biz,46,Sweden,0,0.1200,60,60,2020-01-01,SEK
        biz,4670,Sweden mobile,0.0500,0.3000,30,6,2020-01-01,SEK
        biz,467012,Sweden mobile premium,0.1000,1.0000,1,1,2020-01-01,SEK
        biz,4670,Sweden mobile,0.0500,0.2400,30,6,2026-10-15,SEK

        """

    func insertCall(
        _ start: String, to destination: String, billable: Int, disposition: String = "answered",
        account: String? = "ACME"
    ) throws {
        try connection.execute(
            "SELECT cdr.ensure_partition(($1::timestamptz AT TIME ZONE 'UTC')::date)", [.text(start)])
        try connection.execute(
            """
            INSERT INTO cdr.call (start_time, answer_time, end_time, duration_s, billable_s, source, destination,
                                  call_type, disposition, account, feed, record_key, record_hash)
            VALUES ($1::timestamptz, $1::timestamptz, $1::timestamptz + make_interval(secs => $3::int), $3::int, $3::int,
                    '+46812000000', $2, 'voice', $4, $5, 'pbx1', $1 || $2,
                    substr(sha256(convert_to($1 || $2 || $3 || $4 || coalesce($5, ''), 'UTF8')), 1, 16))
            """, [.text(start), .text(destination), .text(String(billable)), .text(disposition), .optional(account)])
    }

    /// The month the tests bill.
    static let october = try! BillingPeriod(parsing: "2026-10")

    func bill(account: String? = nil) throws -> BillingRun.Outcome {
        try BillingRun(connection: connection).bill(period: Self.october, account: account, now: Self.now)
    }
}

@Suite struct BillingTests {
    @Test func anInvoiceMatchesTheOneComputedByHand() throws {
        let fixture = try BillingFixture()
        try BillingAccounts(connection: fixture.connection).set(
            account: "ACME", plan: "biz", currency: "SEK", zone: nil)
        // Sweden, 61 s at 60/60: billed 120 s; 0 + ceil(1200 × 120 / 60) = 2400.
        try fixture.insertCall("2026-10-01T10:00:00Z", to: "+46812345678", billable: 61)
        // Sweden mobile before the change, 45 s at 30/6: 30 + ceil(15/6)·6 = 48 s; 500 + ceil(3000 × 48 / 60) = 2900.
        try fixture.insertCall("2026-10-01T11:00:00Z", to: "+46701111111", billable: 45)
        // Sweden mobile after the change on the 15th: 500 + ceil(2400 × 48 / 60) = 500 + 1920 = 2420.
        try fixture.insertCall("2026-10-20T11:00:00Z", to: "+46701111111", billable: 45)
        // Premium, longest prefix 467012, 10 s at 1/1: 1000 + ceil(10000 × 10 / 60) = 1000 + 1667 = 2667.
        try fixture.insertCall("2026-10-21T09:00:00Z", to: "+46701234567", billable: 10)
        // Busy: no charge, no connect fee.
        try fixture.insertCall("2026-10-22T09:00:00Z", to: "+46701111111", billable: 0, disposition: "busy")
        // Germany: no prefix of the plan matches: unrated, counted, amount 0.
        try fixture.insertCall("2026-10-23T09:00:00Z", to: "+4915112345678", billable: 30)
        // November: not October's.
        try fixture.insertCall("2026-11-01T00:00:00Z", to: "+46812345678", billable: 600)
        // An account without a plan, and a call without an account.
        try fixture.insertCall("2026-10-05T09:00:00Z", to: "+46812345678", billable: 60, account: "GLOBEX")
        try fixture.insertCall("2026-10-06T09:00:00Z", to: "+46812345678", billable: 60, account: nil)

        let outcome = try fixture.bill()
        let issued = try #require(outcome.issued.first)
        #expect(outcome.issued.count == 1)
        #expect(issued.account == "ACME")
        #expect(issued.currency == "SEK")
        #expect(
            issued.invoice.lines == [
                InvoiceLine(
                    item: .tariff("Sweden"),
                    figures: .init(calls: 1, billableSeconds: 61, billedSeconds: 120, amount: 2400)),
                InvoiceLine(
                    item: .tariff("Sweden mobile"),
                    figures: .init(calls: 2, billableSeconds: 90, billedSeconds: 96, amount: 5320)),
                InvoiceLine(
                    item: .tariff("Sweden mobile premium"),
                    figures: .init(calls: 1, billableSeconds: 10, billedSeconds: 10, amount: 2667)),
                InvoiceLine(item: .unrated, figures: .init(calls: 1, billableSeconds: 30, billedSeconds: 0, amount: 0)),
            ])
        #expect(issued.invoice.totals.amount == 10_387)
        #expect(issued.invoice.unansweredCalls == 1)
        #expect(outcome.callsWithoutPlan == ["GLOBEX": 1])
        #expect(outcome.callsWithoutAccount == 1)

        let stored = try fixture.connection.execute(
            "SELECT account, to_char(period, 'YYYY-MM'), currency, calls, unanswered, total FROM billing.invoice")
        #expect(stored.rows == [["ACME", "2026-10", "SEK", "6", "1", "10387"]])
        let lines = try fixture.connection.execute(
            "SELECT line, item, calls, billable_s, billed_s, amount FROM billing.invoice_line ORDER BY line")
        #expect(
            lines.rows == [
                ["1", "Sweden", "1", "61", "120", "2400"], ["2", "Sweden mobile", "2", "90", "96", "5320"],
                ["3", "Sweden mobile premium", "1", "10", "10", "2667"],
                ["4", "unrated (no tariff prefix matched)", "1", "30", "0", "0"],
            ])
    }

    @Test func aBilledMonthNeverChangesLateCallsAndLaterRatesBecomeAdjustmentsNextMonth() throws {
        let fixture = try BillingFixture()
        try BillingAccounts(connection: fixture.connection).set(account: "ACME", plan: "biz", currency: nil, zone: nil)
        try fixture.insertCall("2026-10-01T10:00:00Z", to: "+46812345678", billable: 61)
        let october = try #require(try fixture.bill().issued.first)
        #expect(october.total == 2400)
        let before = try fixture.connection.execute("SELECT * FROM billing.invoice_line ORDER BY line").rows

        // A call of October arrives late, and Sweden gets cheaper from 2026-10-15 (covering the late call only).
        try fixture.insertCall("2026-10-30T10:00:00Z", to: "+46812345678", billable: 600)
        _ = try Tariffs(connection: fixture.connection).importFile(
            path: try fixture.folder.write(
                "cheaper.csv",
                "plan,prefix,description,connect_fee,rate_per_minute,first_increment_s,increment_s,valid_from\n"
                    + "biz,46,Sweden,0,0.0600,60,60,2026-10-15\n"))
        let again = try fixture.bill()
        #expect(again.issued.isEmpty)
        #expect(again.alreadyBilled == ["ACME": october.id])
        #expect(try fixture.connection.execute("SELECT * FROM billing.invoice_line ORDER BY line").rows == before)
        #expect(throws: PostgresError.self) { try fixture.connection.execute("UPDATE billing.invoice SET total = 0") }
        #expect(throws: PostgresError.self) { try fixture.connection.execute("DELETE FROM billing.invoice_line") }

        // November's run carries the difference: the late call at the new rate, 0 + ceil(600 × 600 / 60) = 6000;
        // the call of October 1st keeps its old rate (the new one starts later).
        let november = try BillingRun(connection: fixture.connection).bill(
            period: try BillingPeriod(parsing: "2026-11"), account: nil, now: Instant.parse("2026-12-05T00:00:00Z")!)
        let issued = try #require(november.issued.first)
        #expect(issued.invoice.lines.isEmpty)
        #expect(
            issued.adjustments == [
                BillingAdjustment(
                    invoiceID: october.id, period: "2026-10", item: "Sweden",
                    figures: .init(calls: 1, billableSeconds: 600, billedSeconds: 600, amount: 6000))
            ])
        #expect(issued.total == 6000)
        let line = try fixture.connection.execute(
            "SELECT item, adjusts_invoice, amount FROM billing.invoice_line WHERE invoice_id = $1",
            [.text(String(issued.id))])
        #expect(line.rows == [["Sweden", String(october.id), "6000"]])

        // Nothing is left to adjust: December's run issues nothing for October.
        let december = try BillingRun(connection: fixture.connection).bill(
            period: try BillingPeriod(parsing: "2026-12"), account: nil, now: Instant.parse("2027-01-05T00:00:00Z")!)
        #expect(december.issued.isEmpty)
    }

    @Test func aDryRunSaysWhatARunWouldIssueAndStoresNothing() throws {
        let fixture = try BillingFixture()
        try BillingAccounts(connection: fixture.connection).set(account: "ACME", plan: "biz", currency: nil, zone: nil)
        try fixture.insertCall("2026-10-01T10:00:00Z", to: "+46812345678", billable: 61)
        let dry = try BillingRun(connection: fixture.connection).bill(
            period: BillingFixture.october, account: nil, now: BillingFixture.now, dryRun: true)
        #expect(dry.issued.map(\.total) == [2400])
        #expect(try fixture.connection.execute("SELECT count(*) FROM billing.invoice").scalar == "0")
        #expect(try fixture.connection.execute("SELECT count(*) FROM cdr.hold").scalar == "0")
        let real = try fixture.bill()
        #expect(real.issued.map(\.invoice) == dry.issued.map(\.invoice))
    }

    @Test func aCallIsRatedByThePlanInForceAtItsStart() throws {
        let fixture = try BillingFixture(
            tariff: BillingFixture.tariff + "cheap,46,Sweden (cheap),0,0.0600,60,60,2020-01-01,SEK\n")
        let accounts = BillingAccounts(connection: fixture.connection)
        try accounts.set(account: "ACME", plan: "biz", currency: nil, zone: nil)
        try accounts.set(account: "ACME", plan: "cheap", from: Instant.parse("2026-10-15"), currency: nil, zone: nil)
        // Before the change: biz, 60 s → 0 + ceil(1200 × 60 / 60) = 1200; after: cheap, ceil(600 × 60 / 60) = 600.
        try fixture.insertCall("2026-10-14T23:59:00Z", to: "+46812345678", billable: 60)
        try fixture.insertCall("2026-10-15T00:00:00Z", to: "+46812345678", billable: 60)
        let issued = try #require(try fixture.bill().issued.first)
        #expect(issued.invoice.lines.map(\.figures.amount) == [1200, 600])
        #expect(issued.invoice.lines.map(\.item) == [.tariff("Sweden"), .tariff("Sweden (cheap)")])
        #expect(try fixture.connection.execute("SELECT plans FROM billing.invoice").scalar == "biz, cheap")
    }

    @Test func anAccountsZoneDecidesWhichCallsAreItsMonth() throws {
        let fixture = try BillingFixture()
        try BillingAccounts(connection: fixture.connection).set(
            account: "ACME", plan: "biz", currency: nil, zone: "Europe/Stockholm")
        // 2026-09-30T22:30Z is 2026-10-01 00:30 in Stockholm (UTC+2): October's.
        try fixture.insertCall("2026-09-30T22:30:00Z", to: "+46812345678", billable: 60)
        // 2026-10-31T23:30Z is 2026-11-01 00:30 in Stockholm (UTC+1 after the change): November's.
        try fixture.insertCall("2026-10-31T23:30:00Z", to: "+46812345678", billable: 60)
        let outcome = try fixture.bill()
        #expect(outcome.issued.map(\.invoice.totals.calls) == [1])
    }

    @Test func anUnpaidInvoiceKeepsItsCallsPastTheCeilingUntilItIsPaid() throws {
        let fixture = try BillingFixture()
        try BillingAccounts(connection: fixture.connection).set(account: "ACME", plan: "biz", currency: nil, zone: nil)
        try fixture.insertCall("2026-10-01T10:00:00Z", to: "+46812345678", billable: 61)
        try fixture.insertCall("2026-10-02T10:00:00Z", to: "+46812345678", billable: 61, account: "OTHER")
        let invoice = try #require(try fixture.bill().issued.first)
        let holds = try Holds(connection: fixture.connection).list(
            activeAt: BillingFixture.now, now: BillingFixture.now)
        #expect(holds.map(\.kind) == ["billing"])
        #expect(holds.first?.account == "ACME")

        let pastCeiling = Instant.parse("2028-11-15T00:00:00Z")!
        let runner = RetentionRunner(connection: fixture.connection)
        _ = try runner.run(asOf: pastCeiling, now: pastCeiling, dryRun: false)
        func count(_ sql: String) throws -> String? { try fixture.connection.execute(sql).scalar }
        #expect(try count("SELECT count(*) FROM cdr.call") == "0")
        #expect(try count("SELECT count(*) FROM cdr.preserved_call WHERE account = 'ACME'") == "1")
        #expect(try count("SELECT count(*) FROM cdr.preserved_call WHERE account = 'OTHER'") == "0")

        try Invoices(connection: fixture.connection).markPaid(id: invoice.id)
        #expect(throws: StoreError.self) { try Invoices(connection: fixture.connection).markPaid(id: invoice.id) }
        _ = try runner.run(asOf: pastCeiling, now: pastCeiling, dryRun: false)
        #expect(try count("SELECT count(*) FROM cdr.preserved_call") == "0")
        #expect(try count("SELECT to_char(paid_at, 'YYYY') IS NOT NULL FROM billing.invoice") == "t")
    }

    @Test func wrongInputIsRefusedWithTheThingItNames() throws {
        let fixture = try BillingFixture()
        let tariffs = Tariffs(connection: fixture.connection)
        let missingColumn = try fixture.folder.write("a.csv", "plan,prefix,description\nbiz,46,Sweden\n")
        #expect(throws: StoreError.self) { try tariffs.importFile(path: missingColumn) }
        let overPrecise = try fixture.folder.write(
            "b.csv", BillingFixture.tariff.replacingOccurrences(of: "0.1200,60,60", with: "0.12001,60,60"))
        do {
            _ = try tariffs.importFile(path: overPrecise)
            Issue.record("an over-precise amount must be refused")
        } catch {
            #expect("\(error)".contains("line 2"))
        }
        let again = try fixture.folder.write("c.csv", BillingFixture.tariff)
        do {
            _ = try tariffs.importFile(path: again)
            Issue.record("a rate imported twice must be refused")
        } catch {
            #expect("\(error)".contains("repeats a rate already imported"))
        }
        #expect(try fixture.connection.execute("SELECT count(*) FROM billing.tariff_rate").scalar == "4")
        #expect(try fixture.connection.execute("SELECT count(*) FROM billing.tariff_import").scalar == "1")
        #expect(throws: StoreError.self) {
            try BillingAccounts(connection: fixture.connection).set(
                account: "A", plan: "nope", currency: nil, zone: nil)
        }
        #expect(throws: StoreError.self) {
            try BillingRun(connection: fixture.connection).bill(
                period: try BillingPeriod(parsing: "2026-11"), account: nil, now: BillingFixture.now)
        }
        #expect(throws: StoreError.self) { try BillingPeriod(parsing: "2026-13") }
        #expect(throws: StoreError.self) { try Invoices(connection: fixture.connection).markPaid(id: 999) }
    }
}
