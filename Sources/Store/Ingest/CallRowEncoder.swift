import CDRModel
import Postgres

/// Writes calls as binary COPY rows for `cdr.call`, in `columns` order.
enum CallRowEncoder {
    /// The columns COPY fills; `ingested_at` takes its default.
    static let columns = [
        "start_time", "answer_time", "end_time", "duration_s", "billable_s", "source", "destination", "source_ip",
        "call_type", "disposition", "equipment", "account", "feed", "record_key", "linked_key",
        "record_hash",
    ]

    /// The COPY statement matching `encode`.
    static let copyStatement =
        "COPY cdr.call (\(columns.joined(separator: ", "))) FROM STDIN WITH (FORMAT binary)"

    /// The COPY stream for `rows` of one feed.
    static func encode(_ rows: some Collection<IngestBatch.Row>, feed: String) -> [UInt8] {
        var encoder = BinaryCopyEncoder(reservingCapacity: rows.count * 200 + 64)
        let fieldCount = Int16(columns.count)
        for row in rows {
            let call = row.call
            encoder.beginRow(fieldCount: fieldCount)
            encoder.writeTimestamp(unixMicroseconds: call.startTime)
            if let answer = call.answerTime {
                encoder.writeTimestamp(unixMicroseconds: answer)
            } else {
                encoder.writeNull()
            }
            encoder.writeTimestamp(unixMicroseconds: call.endTime)
            encoder.writeInt32(call.durationSeconds)
            encoder.writeInt32(call.billableSeconds)
            encoder.writeText(call.source)
            encoder.writeText(call.destination)
            if let address = call.sourceIP { encoder.writeInet(address: address.bytes) } else { encoder.writeNull() }
            encoder.writeText(call.callType.rawValue)
            encoder.writeText(call.disposition.rawValue)
            writeOptional(call.equipment, to: &encoder)
            writeOptional(call.account, to: &encoder)
            encoder.writeText(feed)
            writeOptional(call.recordKey, to: &encoder)
            writeOptional(call.linkedKey, to: &encoder)
            encoder.writeBytes(row.hash.bytes)
        }
        return encoder.finish()
    }

    private static func writeOptional(_ text: String?, to encoder: inout BinaryCopyEncoder) {
        if let text { encoder.writeText(text) } else { encoder.writeNull() }
    }
}
