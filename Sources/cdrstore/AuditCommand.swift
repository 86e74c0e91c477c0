import ArgumentParser
import CDRModel
import Handover
import Store

/// `cdrstore audit`: the lawful-access audit log, for auditors.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "List or verify the lawful-access audit log (auditors only).",
        subcommands: [List.self, Verify.self])

    /// `audit list [--request ID]`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List audit entries in order.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Only the entries of this legal request.") var request: Int64?
        @Option(help: "table, csv or json.") var format = "table"

        func run() throws {
            let layout = try ResultOutput.Layout.parse(format)
            let entries = try AuditLog(connection: try database.connectToCurrentSchema()).entries(request: request)
            let columns = [
                "seq", "at", "login", "action", "request", "records", "result_sha256", "criteria", "entry_hash",
            ]
            let rows = entries.map { entry -> [String?] in
                [
                    String(entry.sequence), entry.at, entry.login, entry.action, entry.requestID.map(String.init),
                    String(entry.records), entry.resultSHA256, entry.criteria, entry.entryHash,
                ]
            }
            Output.write(ResultOutput.text(columns: columns, rows: rows, layout: layout))
            Output.flush()
        }
    }

    /// `audit verify`.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract:
                "Recompute the hash chain and check who owns the lawful-access functions; exit 0 when both hold, "
                + "else 1 naming the first bad entry or owner.")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let log = AuditLog(connection: try database.connectToCurrentSchema())
            let verdict = try log.verify()
            if let broken = verdict.firstBreak {
                throw CLIError("the audit log is NOT intact: \(broken.description) (\(verdict.entries) entries read)")
            }
            Output.line(
                "the audit log is intact: \(verdict.entries) entr\(verdict.entries == 1 ? "y" : "ies"), head hash "
                    + "\(verdict.head ?? AuditChain.genesis)")
            let owners = try log.definerOwners()
            if let problem = AuditLog.ownershipProblem(owners) {
                Output.flush()
                throw CLIError("the lawful-access functions are NOT safely owned: \(problem)")
            }
            Output.line(
                "the \(owners.count) lawful-access functions (SECURITY DEFINER) run as \(Roles.definer), "
                    + "which cannot log in and has no members")
            Output.flush()
        }
    }
}

/// `cdrstore subject-export`: a person's own records (GDPR Art. 15 and 20), audited.
struct SubjectExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subject-export",
        abstract: "Export a person's own call records with an explanation of each field (GDPR Art. 15/20; audited).")
    @OptionGroup var database: DatabaseOptions
    @Option(help: "The person's number, SIP URI or IP address.") var identifier: String
    @Option(help: "json or csv.") var format = "json"
    @Option(help: "Country calling code for national numbers, as the feeds use.") var countryCode: String?

    func run() throws {
        let format = try DisclosureFormat.parse(format, allowed: [.json, .csv])
        let identifier = try LookupIdentifier(identifier, normaliser: NumberNormaliser(countryCode: countryCode))
        let connection = try database.connectToCurrentSchema()
        let ceiling = try RetentionPolicy.load(from: connection).ceilingMonths
        let disclosure = try LawfulDisclosures(connection: connection).subjectExport(identifier: identifier)
        Output.write(
            SubjectExport(identifier: identifier.text, retentionMonths: ceiling, calls: disclosure.calls).text(format))
        Output.flush()
    }
}
