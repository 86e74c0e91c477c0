import ArgumentParser
import Billing
import Feeds
import Store

/// `cdrstore tariff`: tariff files in, rates listed.
struct TariffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tariff", abstract: "Import tariff files and list rates (see the README's billing rules).",
        subcommands: [Import.self, List.self])

    /// `tariff import FILE`.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import a tariff CSV: every rate in one transaction, or none with the lines that are wrong.")
        @OptionGroup var database: DatabaseOptions
        @Argument(
            help:
                "plan,prefix,description,connect_fee,rate_per_minute,first_increment_s,increment_s,valid_from[,currency]"
        )
        var file: String

        func run() throws {
            let count = try Tariffs(connection: try database.connectToCurrentSchema()).importFile(path: file)
            Output.line("imported \(Quantity.grouped(count)) rates from \(file)")
            Output.flush()
        }
    }

    /// `tariff list [--plan P]`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List rates by plan, prefix and validity.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Only this plan.") var plan: String?
        @Flag(help: "One JSON object per rate.") var json = false

        func run() throws {
            let rates = try Tariffs(connection: try database.connectToCurrentSchema()).list(plan: plan)
            ResultOutput.print(rates, layout: json ? .json : .table, amounts: ["connect_fee", "rate_per_minute"])
            Output.flush()
        }
    }
}

/// `cdrstore account`: billing accounts and their plans.
struct AccountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account", abstract: "Give billing accounts their plan, currency and zone.",
        subcommands: [Set.self, List.self])

    /// `account set ACCOUNT --plan P`.
    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Put an account on a plan, from a time or for all calls (and set its currency, zone).")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The account, as the feeds name it.") var account: String
        @Option(help: "The tariff plan.") var plan: String
        @Option(help: "The plan applies to calls starting at this time or later (default: all calls).")
        var from: String?
        @Option(help: "The invoice currency (default EUR on creation).") var currency: String?
        @Option(help: "The IANA zone calendar months are counted in (default UTC on creation).") var zone: String?

        func run() throws {
            let start = try from.map { try TimeOption.parse($0, flag: "--from") }
            try BillingAccounts(connection: try database.connectToCurrentSchema()).set(
                account: account, plan: plan, from: start, currency: currency, zone: zone)
            Output.line("account \(account) bills on plan \(plan)" + (from.map { " from \($0)" } ?? ""))
            Output.flush()
        }
    }

    /// `account list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List billing accounts.")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            ResultOutput.print(
                try BillingAccounts(connection: try database.connectToCurrentSchema()).list(), layout: .table)
            Output.flush()
        }
    }
}

/// `cdrstore bill --period YYYY-MM`.
struct BillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bill",
        abstract: "Issue the invoices of a calendar month: every answered call rated by its account's plan.",
        discussion: """
            An account's invoice for a month is issued once and never changes; billing the month again issues \
            nothing for it. Each issued invoice holds its account's calls of the month until it is paid.
            """)
    @OptionGroup var database: DatabaseOptions
    @Option(help: "The month, YYYY-MM.") var period: String
    @Option(help: "Only this account.") var account: String?
    @Flag(help: "One JSON object per issued invoice and report line.") var json = false
    @Flag(help: "Say what a run would issue (the same steps, rolled back); store nothing.") var dryRun = false

    func run() throws {
        let month = try BillingPeriod(parsing: period)
        let outcome = try BillingRun(connection: try database.connectToCurrentSchema()).bill(
            period: month, account: account, now: WallClock.nowMicroseconds(), dryRun: dryRun)
        if dryRun && !json { Output.line("dry run: nothing below is stored") }
        for issued in outcome.issued {
            if json {
                var writer = JSONObjectWriter()
                writer.add("invoice", Int(issued.id))
                writer.add("account", issued.account)
                writer.add("period", month.description)
                writer.add("calls", Int(issued.invoice.totals.calls + issued.invoice.unansweredCalls))
                writer.add("total", MinorUnits.text(issued.invoice.totals.amount))
                writer.add("currency", issued.currency)
                Output.line(writer.finish())
            } else {
                Output.line(
                    "invoice \(issued.id): \(issued.account) \(month): "
                        + "\(Quantity.grouped(Int(issued.invoice.totals.calls + issued.invoice.unansweredCalls))) calls, "
                        + "\(MinorUnits.text(issued.invoice.totals.amount)) \(issued.currency)")
            }
        }
        for (name, id) in outcome.alreadyBilled.sorted(by: { $0.key < $1.key }) {
            Output.line(
                json
                    ? "{\"already_billed\":\(JSONObjectWriter.quoted(name)),\"invoice\":\(id)}"
                    : "\(name) \(month): already billed (invoice \(id), unchanged)")
        }
        for (name, calls) in outcome.callsWithoutPlan.sorted(by: { $0.key < $1.key }) {
            Output.line(
                json
                    ? "{\"without_plan\":\(JSONObjectWriter.quoted(name)),\"calls\":\(calls)}"
                    : "\(name) \(month): \(Quantity.grouped(Int(calls))) calls not invoiced: the account has no plan (cdrstore account set \(name) --plan P)"
            )
        }
        if outcome.callsWithoutAccount > 0 {
            Output.line(
                json
                    ? "{\"without_account\":\(outcome.callsWithoutAccount)}"
                    : "\(Quantity.grouped(Int(outcome.callsWithoutAccount))) calls of \(month) name no account: not invoiced"
            )
        }
        if outcome.issued.isEmpty && outcome.alreadyBilled.isEmpty && outcome.callsWithoutPlan.isEmpty && !json {
            Output.line("no calls to bill in \(month)")
        }
        Output.flush()
    }
}

/// `cdrstore invoice`: issued invoices.
struct InvoiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoice", abstract: "List, show and mark paid the issued invoices.",
        subcommands: [List.self, Show.self, MarkPaid.self])

    /// `invoice list [--period P] [--unpaid]`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List invoices by period and account.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Only this month, YYYY-MM.") var period: String?
        @Flag(help: "Only unpaid invoices.") var unpaid = false
        @Flag(help: "One JSON object per invoice.") var json = false

        func run() throws {
            let month = try period.map { try BillingPeriod(parsing: $0) }
            let invoices = try Invoices(connection: try database.connectToCurrentSchema()).list(
                period: month, unpaidOnly: unpaid)
            ResultOutput.print(invoices, layout: json ? .json : .table, amounts: ["total"])
            Output.flush()
        }
    }

    /// `invoice show ID`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show an invoice and its lines.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The invoice id.") var id: Int64
        @Option(help: "table, csv or json.") var format = "table"

        func run() throws {
            let layout = try ResultOutput.Layout.parse(format)
            let shown = try Invoices(connection: try database.connectToCurrentSchema()).show(id: id)
            ResultOutput.print(shown.header, layout: layout, amounts: ["total"])
            if layout == .table { Output.line() }
            ResultOutput.print(shown.lines, layout: layout, amounts: ["amount"])
            Output.flush()
        }
    }

    /// `invoice mark-paid ID`.
    struct MarkPaid: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mark-paid", abstract: "Record an invoice's payment; its billing hold is released.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The invoice id.") var id: Int64

        func run() throws {
            try Invoices(connection: try database.connectToCurrentSchema()).markPaid(id: id)
            Output.line("invoice \(id) paid; its billing hold is released")
            Output.flush()
        }
    }
}
