import ArgumentParser
import CDRModel
import Feeds
import Foundation
import Handover
import Store

/// `cdrstore lookup`: the calls of one identifier under an approved legal request, audited.
struct LookupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup",
        abstract: "Look up the calls of a number, SIP URI or IP address under an approved legal request (audited).")
    @OptionGroup var database: DatabaseOptions
    @Option(help: "The legal request's id.") var request: Int64
    @Option(help: "A number, SIP URI or IP address, normalised like ingest.") var identifier: String
    @Option(help: "Start of the window (default and limit: the request's authorised window).") var from: String?
    @Option(help: "End of the window (a date includes that day); clipped to the authorised window.") var to: String?
    @Option(help: "table, csv, json or etsi-xml.") var format = "table"
    @Option(help: "Write the result to this new file, with FILE.manifest.json beside it; the export is audited.")
    var out: String?
    @Option(help: "Country calling code for national numbers, as the feeds use.") var countryCode: String?
    @Option(
        name: .customLong("csp-id"),
        help: "The communication service provider's id in ETSI exports (default: CDRSTORE_CSP_ID, else cdrstore).")
    var cspID: String?

    func run() throws {
        let format = try DisclosureFormat.parse(format)
        let identifier = try LookupIdentifier(identifier, normaliser: NumberNormaliser(countryCode: countryCode))
        let window = (
            try from.map { try TimeOption.parse($0, flag: "--from") },
            try to.map { try TimeOption.parseEnd($0, flag: "--to") }
        )
        if let out, FileManager.default.fileExists(atPath: out) {
            throw CLIError("\(out) exists already; an export never overwrites a file, choose another name")
        }
        let connection = try database.connectToCurrentSchema()
        let disclosures = LawfulDisclosures(connection: connection)
        let disclosure = try disclosures.lookup(request: request, identifier: identifier, from: window.0, to: window.1)
        let requestRow = try LegalRequests(connection: connection).list(id: request).rows[0]
        let identity = RequestIdentity(
            countryCode: requestRow[1]!, authorisedOrganisationID: requestRow[2]!, requestNumber: requestRow[3]!)
        let now = CanonicalJSON.timestamp(WallClock.nowMicroseconds())
        let text: String
        switch format {
        case .etsiXML:
            text = ETSIRetainedDataDocument(
                request: identity, cspID: cspID ?? ProcessInfo.processInfo.environment["CDRSTORE_CSP_ID"] ?? "cdrstore",
                timeStamp: now, calls: disclosure.calls
            ).xml()
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
            resultSHA256: disclosure.resultSHA256, createdAt: now,
            createdBy: try connection.execute("SELECT session_user").scalar ?? "",
            auditEntries: (disclosure.auditSequence, exportEntry))
        try ExportFile.writeNew(Array(manifest.json().utf8), to: out + ".manifest.json")
        Output.line(summary)
        Output.line(
            "wrote \(out) (sha256 \(SHA256Digest.hex(digest))) and \(out).manifest.json; audit entry \(exportEntry)")
        Output.flush()
    }
}
