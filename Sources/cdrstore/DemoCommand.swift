import ArgumentParser
import Billing
import CDRModel
import Feeds
import Foundation
import Generator
import Postgres
import Store

/// `cdrstore demo`: the whole path on a private PostgreSQL in one command.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract:
            "Migrate, generate a few days of traffic, ingest it twice, look a number up under a legal request, bill it, and show what was stored."
    )

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Calls to generate.") var calls = 20_000
    @Option(help: "Days of traffic, ending yesterday.") var days = 3
    @Option(help: "Folder for the generated feed file (default: a new private temporary folder, removed at the end).")
    var workdir: String?

    static let feed = "demo-pbx"
    static let timeZone = "Europe/Stockholm"
    static let countryCode = "46"

    func validate() throws {
        guard calls >= 1, (1...30).contains(days) else {
            throw ValidationError("--calls must be at least 1 and --days 1 to 30")
        }
    }

    func run() throws {
        let open = try database.opener()
        let connection = try open()
        Output.line("== 1. schema")
        let applied = try Migrator(connection: connection).upgrade(citus: false).applied
        Output.line(applied.isEmpty ? "schema already up to date" : "applied \(applied.joined(separator: ", "))")

        Output.line(
            "\n== 2. a synthetic Asterisk Master.csv (\(Quantity.grouped(calls)) calls over \(days) days, \(Self.timeZone))"
        )
        let folder = try demoFolder()
        defer { if workdir == nil { try? FileManager.default.removeItem(atPath: folder) } }
        let file = try generateFeed(in: folder)
        Output.line("wrote \(file), plus two broken lines to show what happens to bad records")

        Output.line("\n== 3. ingest it, then ingest the same file again")
        let settings = try FeedSettings(
            format: FeedFormat.asteriskCSV.rawValue, timeZone: Self.timeZone, countryCode: Self.countryCode)
        let ingestor = try Ingestor(
            connect: open, feed: Self.feed, settings: settings, now: WallClock.nowMicroseconds())
        for _ in 0..<2 {
            let summary = try ingestor.ingest(path: file, clock: WallClock.monotonicSeconds)
            Output.line(IngestCommand.sentence(summary))
        }

        let reports = StoreReports(connection: connection)
        Output.line("\n== 4. what is stored for \(Self.feed), per UTC day and disposition")
        let perDay = try reports.callsPerDayAndDisposition(feed: Self.feed)
        Output.line(
            TextTable.render(
                headers: ["day", "disposition", "calls", "billable s"],
                rows: perDay.rows.map { row in
                    [row[0]!, row[1]!, Quantity.grouped(Int(row[2]!)!), Quantity.grouped(Int(row[3]!)!)]
                }))

        if let number = try reports.busiestSource(feed: Self.feed) {
            let national = number.hasPrefix("+46") ? "0" + number.dropFirst(3) : number
            let identifier = NumberNormaliser(countryCode: Self.countryCode).normalise(national)
            Output.line(
                "\n== 5. an audited lookup: '\(national)' normalises to \(identifier), under a legal request")
            try auditedLookup(
                connection,
                identifier: try LookupIdentifier(national, normaliser: NumberNormaliser(countryCode: Self.countryCode)))
        }

        Output.line("\n== 6. billing: a demo tariff, every account on it, last month billed")
        try bill(connection, folder: folder)

        Output.line("\n== 7. a retention dry run as of today (nothing is old enough to go; nothing changes)")
        RetentionCommand.Run.printTable(
            try RetentionRunner(connection: connection).run(
                asOf: WallClock.nowMicroseconds(), now: WallClock.nowMicroseconds(), dryRun: true))

        Output.line("\n== 8. where the data lives")
        let totals = try reports.totals()
        Output.line(
            "\(Quantity.grouped(Int(totals.rows))) calls in \(totals.partitions) daily partitions (\(Quantity.bytes(totals.bytes))) on \(database.connector.locationDescription)"
        )
        if case .embedded(let home) = database.connector.selection {
            Output.line("connect with: psql \"\(EmbeddedCluster(home: home).conninfo())\"")
        }
        Output.line("refused records: cdrstore rejects list --feed \(Self.feed)")
        Output.flush()
    }

    /// The first day of the current month (UTC), as days since 1970: the demo's traffic ends the day before.
    static var firstDayOfThisMonth: Int {
        let today = CivilTime(unixSeconds: Int64(WallClock.today()) * 86_400)
        return Int(CivilTime(year: today.year, month: today.month, day: 1).secondsAsIfUTC / 86_400)
    }

    /// The demo plan: Swedish fixed, mobile and premium numbers.
    static let tariff = """
        plan,prefix,description,connect_fee,rate_per_minute,first_increment_s,increment_s,valid_from,currency
        demo,46,Sweden fixed,0,0.1200,60,60,2020-01-01,SEK
        demo,467,Sweden mobile,0.0500,0.3500,30,6,2020-01-01,SEK
        demo,46900,Sweden premium,0.5000,2.5000,1,1,2020-01-01,SEK

        """

    /// Imports the demo plan (once), puts every account of the feed on it, bills last month and
    /// shows the first invoice.
    private func bill(_ connection: Connection, folder: String) throws {
        if try Tariffs(connection: connection).list(plan: "demo").rows.isEmpty {
            let path = folder + "/demo-rates.csv"
            guard FileManager.default.createFile(atPath: path, contents: Data(Self.tariff.utf8)) else {
                throw CLIError("cannot write the demo tariff to \(path)")
            }
            do {
                _ = try Tariffs(connection: connection).importFile(path: path)
            } catch {
                // Another demo may have imported the same plan in the meantime.
                guard try !Tariffs(connection: connection).list(plan: "demo").rows.isEmpty else { throw error }
            }
        }
        let accounts = try connection.execute(
            "SELECT DISTINCT account FROM cdr.call WHERE feed = $1 AND account IS NOT NULL ORDER BY 1",
            [.text(Self.feed)])
        for row in accounts.rows {
            try BillingAccounts(connection: connection).set(account: row[0]!, plan: "demo", currency: "SEK", zone: nil)
        }
        let month = CivilTime(unixSeconds: Int64(Self.firstDayOfThisMonth - 1) * 86_400)
        let period = try BillingPeriod(parsing: String(format: "%04d-%02d", month.year, month.month))
        let outcome = try BillingRun(connection: connection).bill(
            period: period, account: nil, now: WallClock.nowMicroseconds())
        let total = outcome.issued.reduce(Int64(0)) { $0 + $1.total }
        Output.line(
            "\(period): \(outcome.issued.count) invoices issued now, \(outcome.alreadyBilled.count) already billed "
                + "(an issued invoice never changes), \(MinorUnits.text(total)) SEK issued in this run")
        guard let first = try Invoices(connection: connection).list(period: period, unpaidOnly: false).rows.first,
            let id = first[0].flatMap({ Int64($0) })
        else { return }
        let shown = try Invoices(connection: connection).show(id: id)
        Output.line("invoice \(id) (\(first[1] ?? "")), unpaid, so its calls are held:")
        ResultOutput.print(shown.lines, layout: .table, amounts: ["amount"])
    }

    /// The folder for the demo's files: `--workdir`, or a new private one (mode 0700, its name
    /// random) under the temporary folder, so that two demos at once never share files.
    private func demoFolder() throws -> String {
        if let workdir {
            try FileManager.default.createDirectory(atPath: workdir, withIntermediateDirectories: true)
            return workdir
        }
        var template = Array((FileManager.default.temporaryDirectory.path + "/cdrstore-demo-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw CLIError("cannot make a private folder for the demo: \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }

    private func generateFeed(in folder: String) throws -> String {
        let path = folder + "/Master.csv"
        let clock = ZoneClock(identifier: Self.timeZone)!
        var generator = TrafficGenerator(
            plan: .init(calls: calls, days: days, accounts: 50, seed: 7, endDay: Self.firstDayOfThisMonth),
            writtenIn: clock)
        let writer = AsteriskCSVWriter(clock: clock)
        var text = ""
        generator.generate { dayCalls in
            for call in dayCalls { text += writer.line(for: call) }
        }
        text += "\"acct0001\",\"0812345678\",\"not a complete record\n"
        text += "\"acct0001\",\"0812345678\"\n"
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw CLIError("cannot write the demo feed to \(path)")
        }
        return path
    }
}
