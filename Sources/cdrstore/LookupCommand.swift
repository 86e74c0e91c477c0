import ArgumentParser
import CDRModel
import Feeds
import Foundation
import Handover
import Store

/// `cdrstore lookup`: the calls of one identifier, or of each identifier of a file, under an
/// approved legal request; one audit entry per identifier.
struct LookupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup",
        abstract: "Look up the calls of a number, SIP URI or IP address under an approved legal request (audited).")
    @OptionGroup var database: DatabaseOptions
    @Option(help: "The legal request's id.") var request: Int64
    @Option(help: "A number, SIP URI or IP address, normalised like ingest.") var identifier: String?
    @Option(help: "A file of identifiers, one per line (blank lines and lines starting with # are skipped).")
    var identifiersFile: String?
    @Option(help: "Start of the window (default and limit: the request's authorised window).") var from: String?
    @Option(help: "End of the window (a date includes that day); clipped to the authorised window.") var to: String?
    @Option(help: "table, csv, json or etsi-xml.") var format = "table"
    @Option(
        help:
            "Write the result to this new file, with FILE.manifest.json beside it; the export is audited. With several identifiers, FILE-1, FILE-2, ... (the number before the extension), in the file's order."
    )
    var out: String?
    @Option(help: "Country calling code for national numbers, as the feeds use.") var countryCode: String?
    @Option(
        name: .customLong("csp-id"),
        help: "The communication service provider's id in ETSI exports (default: CDRSTORE_CSP_ID, else cdrstore).")
    var cspID: String?

    func run() throws {
        let format = try DisclosureFormat.parse(format)
        let normaliser = NumberNormaliser(countryCode: countryCode)
        let identifiers = try identifiersToLookUp(normaliser)
        if identifiers.count > 1, out == nil, format == .csv || format == .etsiXML {
            throw CLIError("--format \(format.rawValue) with several identifiers needs --out: one file per identifier")
        }
        let window = (
            try from.map { try TimeOption.parse($0, flag: "--from") },
            try to.map { try TimeOption.parseEnd($0, flag: "--to") }
        )
        let files = out.map { ExportFileNames.numbered($0, count: identifiers.count) }
        if let existing = files?.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            throw CLIError("\(existing) exists already; an export never overwrites a file, choose another name")
        }
        let connection = try database.connectToCurrentSchema()
        let exportIdentity = try LegalRequests(connection: connection).exportIdentity(id: request)
        let lookup = OneLookup(
            disclosures: LawfulDisclosures(connection: connection), request: request, window: window, format: format,
            identity: exportIdentity.request,
            cspID: cspID ?? ProcessInfo.processInfo.environment["CDRSTORE_CSP_ID"] ?? "cdrstore",
            login: exportIdentity.login)
        guard identifiers.count > 1 else {
            return try lookup.run(identifiers[0], out: files?[0], heading: false)
        }
        var failed = 0
        for (index, identifier) in identifiers.enumerated() {
            do {
                try lookup.run(identifier, out: files?[index], heading: format == .table)
            } catch {
                failed += 1
                Output.flush()
                Output.errorLine("\(identifier.text): \(error)")
            }
        }
        Output.flush()
        if failed > 0 {
            throw CLIError(
                "\(failed) of \(identifiers.count) lookups failed or were refused (each is in the audit log)")
        }
    }

    /// `--identifier`, or every identifier of `--identifiers-file` (each normalised, duplicates
    /// once, a bad line refused with its number before anything is looked up).
    private func identifiersToLookUp(_ normaliser: NumberNormaliser) throws -> [LookupIdentifier] {
        switch (identifier, identifiersFile) {
        case (let identifier?, nil):
            return [try LookupIdentifier(identifier, normaliser: normaliser)]
        case (nil, let path?):
            guard let data = FileManager.default.contents(atPath: path),
                let text = String(validating: data, as: UTF8.self)
            else {
                throw CLIError("cannot read \(path) as a text file of identifiers")
            }
            var identifiers: [LookupIdentifier] = []
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
                do {
                    let identifier = try LookupIdentifier(trimmed, normaliser: normaliser)
                    if !identifiers.contains(identifier) { identifiers.append(identifier) }
                } catch {
                    throw CLIError("\(path), line \(index + 1): \(error)")
                }
            }
            guard !identifiers.isEmpty else { throw CLIError("\(path) names no identifier") }
            return identifiers
        default:
            throw CLIError("give either --identifier X or --identifiers-file FILE")
        }
    }
}

/// One audited lookup of one identifier, written to standard output or to a new export file.
private struct OneLookup {
    let disclosures: LawfulDisclosures
    let request: Int64
    let window: (Int64?, Int64?)
    let format: DisclosureFormat
    /// The request's identity for ETSI documents and manifests (nil when there is no such request:
    /// the lookup is then refused, and audited as refused, by the database).
    let identity: RequestIdentity?
    let cspID: String
    let login: String

    /// Looks `identifier` up; `heading` puts the summary line above the listing on standard output too.
    func run(_ identifier: LookupIdentifier, out: String?, heading: Bool) throws {
        let disclosure = try disclosures.lookup(
            request: request, identifier: identifier, from: window.0, to: window.1)
        guard let identity else { throw CLIError("there is no legal request \(request)") }
        let now = CanonicalJSON.timestamp(WallClock.nowMicroseconds())
        let text: String
        switch format {
        case .etsiXML:
            text = ETSIRetainedDataDocument(request: identity, cspID: cspID, timeStamp: now, calls: disclosure.calls)
                .xml()
        case .table: text = DisclosureFormat.listing(disclosure.calls, layout: .table)
        case .csv: text = DisclosureFormat.listing(disclosure.calls, layout: .csv)
        case .json: text = DisclosureFormat.listing(disclosure.calls, layout: .json)
        }
        let summary =
            "legal request \(request): \(disclosure.calls.count) call\(disclosure.calls.count == 1 ? "" : "s") of \(identifier.text) "
            + "from \(disclosure.windowFrom ?? "") to \(disclosure.windowTo ?? "")"
            + (disclosure.clipped ? " (the window asked for was clipped to the authorised one)" : "")
            + "; audit entry \(disclosure.auditSequence)"
        guard let out else {
            if heading { Output.line(summary) }
            Output.write(text)
            Output.flush()
            Output.errorLine(summary)
            return
        }
        let bytes = Array(text.utf8)
        try ExportFile.writeNew(bytes, to: out)
        let digest = SHA256Digest.of(bytes)
        let exportEntry = try disclosures.recordExport(
            lookupSequence: disclosure.auditSequence, format: format.rawValue, fileName: out, sha256: digest)
        let manifest = ExportManifest(
            file: (out as NSString).lastPathComponent, format: format.rawValue, sha256: SHA256Digest.hex(digest),
            records: disclosure.calls.count,
            request: (request, identity.countryCode, identity.authorisedOrganisationID, identity.requestNumber),
            window: (disclosure.windowFrom, disclosure.windowTo, disclosure.clipped),
            resultSHA256: disclosure.resultSHA256, createdAt: now, createdBy: login,
            auditEntries: (disclosure.auditSequence, exportEntry))
        try ExportFile.writeNew(Array(manifest.json().utf8), to: out + ".manifest.json")
        Output.line(summary)
        Output.line(
            "wrote \(out) (sha256 \(SHA256Digest.hex(digest))) and \(out).manifest.json; audit entry \(exportEntry)")
        Output.flush()
    }
}
