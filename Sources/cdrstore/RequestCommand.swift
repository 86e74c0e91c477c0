import ArgumentParser
import CDRModel
import Store

/// `cdrstore request`: legal requests, approved by a second officer.
struct RequestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request", abstract: "Register, approve, list, show, close or preserve legal requests.",
        subcommands: [Create.self, Approve.self, List.self, Show.self, Close.self, Preserve.self])

    /// `request create`.
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract:
                "Register a legal request (the same country, authority and number again returns the existing one).")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "ISO 3166 country code of the authority, e.g. SE.") var country: String
        @Option(help: "The requesting authority.") var authority: String
        @Option(help: "The authority's number of the request.") var number: String
        @Option(help: "The law the request rests on.") var legalBasis: String
        @Option(help: "Who decided: court, prosecutor, ...") var decisionBy: String
        @Option(help: "The decision's reference.") var decisionRef: String
        @Option(help: "First day or moment of the authorised window.") var authorisedFrom: String
        @Option(help: "Last day of the authorised window (a date includes that day), or an exclusive moment.")
        var authorisedTo: String
        @Option(help: "A number, SIP URI or IP address the decision names; repeat. Lookups are then limited to them.")
        var identifier: [String] = []
        @Option(help: "When the answer is due.") var deadline: String?
        @Option(help: "Preserve the request's calls until then (quick freeze, at most 90 days).") var preserveUntil:
            String?
        @Option(help: "Country calling code for national numbers, as the feeds use.") var countryCode: String?

        func run() throws {
            let normaliser = NumberNormaliser(countryCode: countryCode)
            let draft = LegalRequests.Draft(
                countryCode: country, authority: authority, number: number, legalBasis: legalBasis,
                decisionBy: decisionBy, decisionReference: decisionRef,
                identifiers: try identifier.map { try LookupIdentifier($0, normaliser: normaliser) },
                authorisedFrom: try TimeOption.parse(authorisedFrom, flag: "--authorised-from"),
                authorisedTo: try TimeOption.parseEnd(authorisedTo, flag: "--authorised-to"),
                deadline: try deadline.map { try TimeOption.parse($0, flag: "--deadline") })
            let until = try preserveUntil.map { try TimeOption.parse($0, flag: "--preserve-until") }
            let connection = try database.connectToCurrentSchema()
            let requests = LegalRequests(connection: connection)
            let (id, created) = try requests.create(draft, preserveUntil: until)
            Output.line(
                created
                    ? "registered legal request \(id); another officer approves it with cdrstore request approve \(id)"
                    : "legal request \(id) exists already for \(country) / \(authority) / \(number); nothing changed")
            if let preserveUntil, created { Output.line("its calls are preserved until \(preserveUntil)") }
            Output.flush()
        }
    }

    /// `request approve ID`.
    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "approve",
            abstract: "Approve a request (not as the login that created it).")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The request's id.") var id: Int64

        func run() throws {
            try LegalRequests(connection: try database.connectToCurrentSchema()).approve(id)
            Output.line("approved legal request \(id)")
            Output.flush()
        }
    }

    /// `request list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List legal requests, newest first.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "table, csv or json.") var format = "table"

        func run() throws {
            let layout = try ResultOutput.Layout.parse(format)
            let result = try LegalRequests(connection: try database.connectToCurrentSchema()).list()
            let shown = [
                "id", "country", "authority", "number", "authorised_from", "authorised_to", "created_by", "approved_by",
                "state",
            ]
            let indices = shown.map { LegalRequests.columns.firstIndex(of: $0)! }
            Output.write(
                ResultOutput.text(
                    columns: shown, rows: result.rows.map { row in indices.map { row[$0] } }, layout: layout))
            Output.flush()
        }
    }

    /// `request show ID`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show everything recorded about one request.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The request's id.") var id: Int64

        func run() throws {
            let result = try LegalRequests(connection: try database.connectToCurrentSchema()).list(id: id)
            guard let row = result.rows.first else {
                throw CLIError("there is no legal request \(id); see cdrstore request list")
            }
            for (column, value) in zip(LegalRequests.columns, row) { Output.line("\(column): \(value ?? "")") }
            Output.flush()
        }
    }

    /// `request close ID`.
    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "close",
            abstract: "Close a request: no more lookups; its preservation hold is released.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The request's id.") var id: Int64

        func run() throws {
            try LegalRequests(connection: try database.connectToCurrentSchema()).close(id)
            Output.line("closed legal request \(id)")
            Output.flush()
        }
    }

    /// `request preserve ID --until T`.
    struct Preserve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "preserve",
            abstract: "Preserve a request's calls (at most 90 days), or extend that once by at most 90 days.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The request's id.") var id: Int64
        @Option(help: "Until when.") var until: String

        func run() throws {
            let moment = try TimeOption.parse(until, flag: "--until")
            let hold = try LegalRequests(connection: try database.connectToCurrentSchema()).preserve(id, until: moment)
            Output.line("legal request \(id): calls preserved under hold \(hold) until \(until)")
            Output.flush()
        }
    }
}
