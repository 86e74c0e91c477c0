import Feeds
import Handover

/// A person's own records as a self-explaining document: purpose, retention, every field
/// explained, then the records. It names no request and no hold.
struct SubjectExport {
    var identifier: String
    var retentionMonths: Int
    var calls: [DisclosedCall]

    /// Why the records exist.
    static let purpose =
        "These are the call detail records (traffic data) the operator keeps about calls made from or to this "
        + "identifier: to bill calls, to operate and secure the network, and to meet the legal duty to retain "
        + "traffic data. They hold no call content."

    /// Each field, in the order the records carry them.
    static let fields: [(name: String, meaning: String)] = [
        ("record", "Position of the call in this export, from 1."),
        ("start_utc", "When the call started, UTC."),
        ("answer_utc", "When it was answered, UTC; empty if it was not."),
        ("end_utc", "When it ended, UTC."),
        ("duration_s", "Seconds from start to end."),
        ("source", "The calling number, SIP address or extension."),
        ("destination", "The called number, SIP address or extension."),
        ("source_ip", "The IP address the call came from, if known."),
        ("call_type", "voice, video or fax."),
        ("disposition", "How the call ended: answered, no_answer, busy, failed, congestion or cancelled."),
        ("equipment", "The calling device or software, if known."),
        ("account", "The billing account the call was charged to, if any."),
        ("feed", "The telephony system that reported the call."),
        ("record_key", "That system's own identifier of the call, if any."),
    ]

    /// The retention sentence.
    var retention: String {
        "Records are kept for at most \(retentionMonths) months from the call and then deleted."
    }

    /// The document in `format` (json or csv).
    func text(_ format: DisclosureFormat) -> String {
        guard format == .json else {
            let notes =
                ["subject: \(identifier)", "purpose: \(Self.purpose)", "retention: \(retention)"]
                + Self.fields.map { "\($0.name): \($0.meaning)" }
            return notes.map { "# \($0)\n" }.joined()
                + DisclosureFormat.listing(calls, layout: .csv, withStorage: false)
        }
        var fieldWriter = JSONObjectWriter()
        for field in Self.fields { fieldWriter.add(field.name, field.meaning) }
        let records = DisclosureFormat.listing(calls, layout: .json, withStorage: false).split(separator: "\n")
        var writer = JSONObjectWriter()
        writer.add("subject", identifier)
        writer.add("purpose", Self.purpose)
        writer.add("retention", retention)
        writer.addRaw("fields", fieldWriter.finish())
        writer.add("records_count", calls.count)
        writer.addRaw("records", "[" + records.joined(separator: ",") + "]")
        return writer.finish() + "\n"
    }
}
