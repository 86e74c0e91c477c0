import CDRModel
import Feeds

/// Writes a call as one line of PostgreSQL's text COPY format for `cdr.call`'s COPY columns:
/// what `cdrstore parse --as copy` prints, so that `psql \copy` can load the very rows ingest stores.
public enum CallRowText {
    /// The column list, for `\copy cdr.call (...) FROM ...`.
    public static var columnList: String { CallRowEncoder.columns.joined(separator: ", ") }

    /// The line (with its newline) for `call` from `feed`, read in `format` from the bytes `raw`.
    public static func line(
        for call: CallRecord, feed: String, format: FeedFormat, raw: UnsafeRawBufferPointer
    ) -> String {
        let fields: [String?] = [
            CanonicalJSON.timestamp(call.startTime), call.answerTime.map(CanonicalJSON.timestamp),
            CanonicalJSON.timestamp(call.endTime), String(call.durationSeconds), String(call.billableSeconds),
            call.source, call.destination, call.sourceIP?.description, call.callType.rawValue,
            call.disposition.rawValue, call.equipment, call.account, feed, call.recordKey, call.linkedKey,
            "\\x" + SHA256Digest.hex(RecordHash(of: call, raw: raw, format: format).bytes),
        ]
        return CopyText.line(fields)
    }
}
