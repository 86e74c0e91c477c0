import CDRModel

/// Decodes Cisco Unified CM CDR flat files: a header line of column names (first `cdrRecordType`),
/// a line of their types (`INTEGER,...,VARCHAR(50),...`), then one line per record. Columns are
/// found by name; times are UTC seconds since the epoch. Only CDRs (`cdrRecordType` 1) become
/// calls; CMRs (2) and start records (0) are skipped.
public struct CiscoCUCMDecoder: CSVRecordDecoder {
    private let normaliser: NumberNormaliser
    /// CUCM writes each flat file whole (and often without a line end after the last record).
    public static var filesAreDeliveredWhole: Bool { true }
    /// The columns, once a header line was read.
    private var columns: CUCMColumns?
    /// Why the last header line cannot be used, if it cannot.
    private var headerRefusal: String?

    /// Creates a decoder; `normaliser` applies to the parties.
    public init(normaliser: NumberNormaliser) { self.normaliser = normaliser }

    /// Decodes one line: learns the header, skips the type line, CMRs and start records; see `CSVRecordDecoder`.
    public mutating func decode(_ fields: [CSVField], in buffer: UnsafeRawBufferPointer) -> DecodedRecord {
        func bytes(_ index: Int) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: buffer[fields[index].start..<fields[index].end])
        }
        let recordType = bytes(0)
        if fields.count == 1, recordType.isEmpty { return .skip }
        if Self.headerMark.elementsEqual(recordType) { return learnHeader(fields, buffer) }
        if Self.typeLineMark.elementsEqual(recordType) { return .skip }
        if recordType.count == 1, recordType[0] == UInt8(ascii: "0") || recordType[0] == UInt8(ascii: "2") {
            return .skip
        }
        guard recordType.count == 1, recordType[0] == UInt8(ascii: "1") else {
            return .rejected(
                "cdrRecordType '\(FieldValue.shown(recordType))' is not 1 (CDR), 2 (CMR) or 0 (start record)")
        }
        guard let columns else {
            return .rejected(
                headerRefusal
                    ?? "no header line seen yet: a CUCM CDR file starts with the line of column names (\"cdrRecordType\",...)"
            )
        }
        guard fields.count == columns.count else {
            return .rejected("expected \(columns.count) columns (as the header line names them), found \(fields.count)")
        }
        do {
            return .record(try makeRecord(fields, buffer, columns))
        } catch {
            return .rejected(error.reason)
        }
    }

    /// Learns the columns from the file's header line when reading resumes after it.
    public mutating func prepare(fileStart fields: [CSVField], in buffer: UnsafeRawBufferPointer) {
        if columns == nil, headerRefusal == nil { _ = decode(fields, in: buffer) }
    }

    private static let headerMark = Array("cdrRecordType".utf8)
    private static let typeLineMark = Array("INTEGER".utf8)

    private mutating func learnHeader(_ fields: [CSVField], _ buffer: UnsafeRawBufferPointer) -> DecodedRecord {
        do {
            var names: [String] = []
            for (index, field) in fields.enumerated() {
                names.append(try FieldValue.text(of: field, in: buffer, "header column \(index + 1)"))
            }
            columns = try CUCMColumns(names: names)
            headerRefusal = nil
            return .skip
        } catch {
            columns = nil
            headerRefusal = error.reason
            return .skip
        }
    }

    private func makeRecord(
        _ fields: [CSVField], _ buffer: UnsafeRawBufferPointer, _ columns: CUCMColumns
    ) throws(FieldRefusal) -> CallRecord {
        func bytes(_ index: Int) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: buffer[fields[index].start..<fields[index].end])
        }
        func text(_ index: Int, _ name: String) throws(FieldRefusal) -> String {
            try FieldValue.text(of: fields[index], in: buffer, name)
        }
        let start = try FieldValue.unixSeconds(bytes(columns.origination), "dateTimeOrigination", required: true)!
        let connect = try FieldValue.unixSeconds(bytes(columns.connect), "dateTimeConnect", required: false)
        let end = try FieldValue.unixSeconds(bytes(columns.disconnect), "dateTimeDisconnect", required: true)!
        let billable = try FieldValue.seconds(bytes(columns.duration), "duration")
        guard end >= start else { throw FieldRefusal("dateTimeDisconnect is before dateTimeOrigination") }
        let duration = FieldValue.secondsBetween(start, end)
        try FieldValue.checkTimes(start: start, answer: connect, end: end, duration: duration, billable: billable)

        var destination = bytes(columns.finalCalledParty)
        var destinationName = "finalCalledPartyNumber"
        if destination.isEmpty, let original = columns.originalCalledParty {
            destination = bytes(original)
            destinationName = "originalCalledPartyNumber"
        }
        let isVideo = columns.origVideoCodec.map { !Self.isZeroOrEmpty(bytes($0)) } ?? false
        let recordKey =
            try text(columns.callManagerID, "globalCallID_callManagerId") + "-"
            + text(columns.callID, "globalCallID_callId") + "-" + text(columns.origLeg, "origLegCallIdentifier")
        return CallRecord(
            startTime: start, answerTime: connect, endTime: end, durationSeconds: duration, billableSeconds: billable,
            source: try FieldValue.party(bytes(columns.callingParty), "callingPartyNumber", normaliser: normaliser),
            destination: try FieldValue.party(destination, destinationName, normaliser: normaliser),
            sourceIP: try sourceIP(fields, buffer, columns),
            callType: isVideo ? .video : .voice,
            disposition: connect != nil
                ? .answered
                : Self.disposition(
                    destCause: bytes(columns.destCause), origCause: bytes(columns.origCause)),
            equipment: try columns.origDeviceName.flatMap { index throws(FieldRefusal) in
                try FieldValue.optionalText(bytes(index), "origDeviceName")
            },
            recordKey: recordKey)
    }

    /// `origIpv4v6Addr` when not empty, else `origIpAddr` (0: none).
    private func sourceIP(
        _ fields: [CSVField], _ buffer: UnsafeRawBufferPointer, _ columns: CUCMColumns
    ) throws(FieldRefusal) -> IPAddress? {
        if let index = columns.origIPText, fields[index].start < fields[index].end {
            let text = try FieldValue.text(of: fields[index], in: buffer, "origIpv4v6Addr")
            guard let address = IPAddress(text) else {
                throw FieldRefusal("origIpv4v6Addr '\(text.prefix(40))' is not an IPv4 or IPv6 address")
            }
            return address
        }
        guard let index = columns.origIPInteger else { return nil }
        let raw = UnsafeRawBufferPointer(rebasing: buffer[fields[index].start..<fields[index].end])
        if Self.isZeroOrEmpty(raw) { return nil }
        guard let address = Self.ipv4(fromReversedInteger: raw) else {
            throw FieldRefusal(
                "origIpAddr '\(FieldValue.shown(raw))' is not a 32-bit integer (CUCM's form of an IPv4 address)")
        }
        return address
    }

    /// CUCM's IPv4 integer: the address's bytes read as a little-endian signed 32-bit number
    /// (`-1139627840` is `192.168.18.188`); nil when not such a number.
    static func ipv4(fromReversedInteger raw: UnsafeRawBufferPointer) -> IPAddress? {
        let negative = raw.first == UInt8(ascii: "-")
        let magnitude = UnsafeRawBufferPointer(rebasing: raw[(negative ? 1 : 0)...])
        guard magnitude.count <= 10, let value = FieldValue.digits(magnitude),
            negative ? value <= 1 << 31 : value < 1 << 32
        else { return nil }
        let bits = UInt32(truncatingIfNeeded: negative ? -value : value)
        return IPAddress(bytes: (0..<4).map { UInt8(truncatingIfNeeded: bits >> (8 * $0)) })
    }

    private static func isZeroOrEmpty(_ raw: UnsafeRawBufferPointer) -> Bool {
        raw.isEmpty || (raw.count == 1 && raw[0] == UInt8(ascii: "0"))
    }

    /// A call that never connected, by its Q.850 cause (the called side's, else the caller's):
    /// 17 busy; 18, 19 no answer; 34, 38, 41, 42, 44 congestion; 0 or 16 (normal clearing before
    /// an answer: the caller hung up) cancelled; anything else (21 call rejected, ...) failed.
    static func disposition(destCause: UnsafeRawBufferPointer, origCause: UnsafeRawBufferPointer) -> Disposition {
        guard let cause = FieldValue.digits(isZeroOrEmpty(destCause) ? origCause : destCause) else { return .failed }
        switch cause {
        case 0, 16: return .cancelled
        case 17: return .busy
        case 18, 19: return .noAnswer
        case 34, 38, 41, 42, 44: return .congestion
        default: return .failed
        }
    }
}
