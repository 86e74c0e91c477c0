import Foundation
import Postgres
import TestSupport
import Testing

/// The billing commands as a billing clerk uses them: tariff in, account set, a month billed,
/// the invoice shown in each format, paid; wrong input as one sentence.
@Suite struct BillingCLITests {
    /// The month before the current one, `YYYY-MM`, and a day in it at noon UTC.
    private static let lastMonth: (period: String, day: String, end: String) = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let date = calendar.date(byAdding: .month, value: -1, to: Date())!
        let parts = calendar.dateComponents([.year, .month], from: date)
        let period = String(format: "%04d-%02d", parts.year!, parts.month!)
        return (period, period + "-10T12:00:00Z", period + "-10T12:01:30Z")
    }()

    @Test func aMonthIsBilledShownAndPaid() throws {
        let conninfo = try TestDatabase.createMigrated(prefix: "billcli")
        let folder = try TemporaryFolder()
        let db = ["--db", conninfo]
        let rates = try folder.write(
            "rates.csv",
            "plan,prefix,description,connect_fee,rate_per_minute,first_increment_s,increment_s,valid_from,currency\n"
                + "biz,46,Sweden,0.0100,0.1200,60,60,2020-01-01,SEK\n")
        let imported = try CLIRunner.run(["tariff", "import"] + db + [rates])
        #expect(imported.stdout == "imported 1 rates from \(rates)\n", "\(imported.stderr)")
        #expect(try CLIRunner.run(["account", "set", "ACME", "--plan", "biz", "--currency", "SEK"] + db).status == 0)
        let (day, end) = (Self.lastMonth.day, Self.lastMonth.end)
        let calls = try folder.write(
            "calls.jsonl",
            #"{"start_time":"\#(day)","answer_time":"\#(day)","end_time":"\#(end)","source":"+46701234567","destination":"+46812345678","account":"ACME","record_key":"k1"}"#
                + "\n")
        let ingested = try CLIRunner.run(["ingest", "--feed", "gw", "--format", "cdr-jsonl", "--json"] + db + [calls])
        #expect(ingested.stdout.contains(#""ingested":1"#), "\(ingested.stdout) \(ingested.stderr)")

        // 90 s at 60/60: 120 s billed; 100 + ceil(1200 × 120 / 60) = 100 + 2400 = 2500 → 0.2500.
        let billed = try CLIRunner.run(["bill", "--period", Self.lastMonth.period] + db)
        #expect(billed.status == 0, "\(billed.stderr)")
        #expect(billed.stdout == "invoice 1: ACME \(Self.lastMonth.period): 1 calls, 0.2500 SEK\n")
        let again = try CLIRunner.run(["bill", "--period", Self.lastMonth.period] + db)
        #expect(again.stdout == "ACME \(Self.lastMonth.period): already billed (invoice 1, unchanged)\n")

        let csv = try CLIRunner.run(["invoice", "show", "1", "--format", "csv"] + db)
        let lines = csv.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("line,item,calls,billable_s,billed_s,amount"))
        #expect(lines.last == "1,Sweden,1,90,120,0.2500")
        let table = try CLIRunner.run(["invoice", "show", "1"] + db)
        #expect(table.stdout.hasSuffix("   1  Sweden      1          90       120  0.2500\n"), "\(table.stdout)")
        let unpaid = try CLIRunner.run(["invoice", "list", "--unpaid", "--json"] + db)
        #expect(unpaid.stdout.contains(#""total":"0.2500""#))
        #expect(unpaid.stdout.contains(#""status":"unpaid""#))
        let holds = try CLIRunner.run(["hold", "list", "--active", "--json"] + db)
        #expect(holds.stdout.contains(#""kind":"billing""#))

        #expect(
            try CLIRunner.run(["invoice", "mark-paid", "1"] + db).stdout
                == "invoice 1 paid; its billing hold is released\n")
        #expect(try CLIRunner.run(["invoice", "list", "--unpaid"] + db).stdout.contains("ACME") == false)
        #expect(try CLIRunner.run(["hold", "list", "--active"] + db).stdout.contains("billing") == false)
    }

    @Test(arguments: [
        (["bill", "--period", "2026-13"], "cdrstore: period '2026-13' is not a month YYYY-MM (e.g. 2026-10)\n"),
        (["bill", "--period", "2999-01"], "cdrstore: period 2999-01 is in the future; nothing to bill\n"),
        (["invoice", "mark-paid", "42"], "cdrstore: there is no invoice 42; cdrstore invoice list shows them\n"),
        (["invoice", "show", "42"], "cdrstore: there is no invoice 42; cdrstore invoice list shows them\n"),
        (
            ["account", "set", "ACME", "--plan", "none"],
            "cdrstore: plan 'none' has no rates; import them first with cdrstore tariff import\n"
        ),
        (
            ["tariff", "import", "/nonexistent/rates.csv"],
            "cdrstore: cannot read the tariff file /nonexistent/rates.csv\n"
        ),
    ])
    func wrongInputIsOneSentence(arguments: [String], message: String) throws {
        let conninfo = try TestDatabase.createMigrated(prefix: "billbad")
        let result = try CLIRunner.run(arguments + ["--db", conninfo])
        #expect(result.status == 1)
        #expect(result.stderr == message)
    }
}
