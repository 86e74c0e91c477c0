import Feeds
import Handover

/// The formats a lookup or subject export is written in, and their text.
enum DisclosureFormat: String, CaseIterable {
    /// Aligned columns.
    case table
    /// Comma-separated values with a header line.
    case csv
    /// One JSON object per call.
    case json
    /// ETSI TS 102 657 retained-data XML.
    case etsiXML = "etsi-xml"

    /// The format `--format` names, or a plain refusal listing those allowed.
    static func parse(_ text: String, allowed: [DisclosureFormat] = allCases) throws -> DisclosureFormat {
        guard let format = DisclosureFormat(rawValue: text), allowed.contains(format) else {
            throw CLIError("--format is \(allowed.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
        }
        return format
    }

    /// The column names of the call listings.
    static let columns = [
        "record", "start_utc", "answer_utc", "end_utc", "duration_s", "source", "destination", "source_ip", "call_type",
        "disposition", "equipment", "account", "feed", "record_key", "stored",
    ]

    /// The calls as a listing; `withStorage` false leaves out the `stored` column (a subject export
    /// must not tell that a hold keeps something).
    static func listing(_ calls: [DisclosedCall], layout: ResultOutput.Layout, withStorage: Bool = true) -> String {
        let count = withStorage ? columns.count : columns.count - 1
        let rows = calls.map { call -> [String?] in
            let row: [String?] = [
                String(call.recordNumber), call.startTime, call.answerTime, call.endTime, String(call.durationSeconds),
                call.source, call.destination, call.sourceIP, call.callType, call.disposition, call.equipment,
                call.account, call.feed, call.recordKey, call.stored,
            ]
            return Array(row.prefix(count))
        }
        return ResultOutput.text(columns: Array(columns.prefix(count)), rows: rows, layout: layout)
    }
}

/// The manifest written next to an export: what it is, for which request, and its digest.
struct ExportManifest {
    var file: String
    var format: String
    var sha256: String
    var records: Int
    var request: (id: Int64, country: String, authority: String, number: String)
    var window: (from: String?, to: String?, clipped: Bool)
    var resultSHA256: String
    var createdAt: String
    var createdBy: String
    var auditEntries: (lookup: Int64, export: Int64)

    /// The manifest as one JSON object and a newline.
    func json() -> String {
        var requestWriter = JSONObjectWriter()
        requestWriter.add("id", Int(request.id))
        requestWriter.add("country_code", request.country)
        requestWriter.add("authorised_organisation_id", request.authority)
        requestWriter.add("request_number", request.number)
        var windowWriter = JSONObjectWriter()
        windowWriter.add("from", window.from)
        windowWriter.add("to", window.to)
        windowWriter.add("clipped", window.clipped)
        var auditWriter = JSONObjectWriter()
        auditWriter.add("lookup_entry", Int(auditEntries.lookup))
        auditWriter.add("export_entry", Int(auditEntries.export))
        var writer = JSONObjectWriter()
        writer.add("file", file)
        writer.add("format", format)
        writer.add("sha256", sha256)
        writer.add("records", records)
        writer.addRaw("request", requestWriter.finish())
        writer.addRaw("window", windowWriter.finish())
        writer.add("result_sha256", resultSHA256)
        writer.add("created_at", createdAt)
        writer.add("created_by", createdBy)
        writer.addRaw("audit", auditWriter.finish())
        return writer.finish() + "\n"
    }
}
