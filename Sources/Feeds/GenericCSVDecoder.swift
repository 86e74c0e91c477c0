import CDRModel

/// Decodes any CSV whose columns are named by a `CSVColumnMap`: given up front (`--columns`), or
/// read from the file's first line. Wall times are in the feed's zone; what a line lacks is
/// derived (see the README's `--format csv` section).
public struct GenericCSVDecoder: CSVRecordDecoder {
    private let normaliser: NumberNormaliser
    private let clock: ZoneClock
    /// The columns, once known.
    private var columns: CSVColumnMap?
    /// Where the columns come from, for messages.
    private let columnsSource: String
    /// Why the header line could not be used, once it could not.
    private var headerRefusal: String?

    /// Creates a decoder for lines laid out as `columns`, or, when nil, as the file's first line names them.
    public init(columns: CSVColumnMap?, normaliser: NumberNormaliser, clock: ZoneClock) {
        self.columns = columns
        self.columnsSource = columns == nil ? "the header line names them" : "--columns names them"
        self.normaliser = normaliser
        self.clock = clock
    }

    /// Decodes one record, or learns the columns from the header line; see `CSVRecordDecoder`.
    public mutating func decode(_ fields: [CSVField], in buffer: UnsafeRawBufferPointer) -> DecodedRecord {
        if fields.count == 1, fields[0].start == fields[0].end { return .skip }
        guard let columns else { return learnHeader(fields, buffer) }
        guard fields.count == columns.count else {
            return .rejected("expected \(columns.count) columns (as \(columnsSource)), found \(fields.count)")
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

    private mutating func learnHeader(_ fields: [CSVField], _ buffer: UnsafeRawBufferPointer) -> DecodedRecord {
        if let headerRefusal {
            return .rejected("the columns are unknown, since the header line was refused: \(headerRefusal)")
        }
        do {
            var names: [String] = []
            for (index, field) in fields.enumerated() {
                names.append(try FieldValue.text(of: field, in: buffer, "header column \(index + 1)"))
            }
            columns = try CSVColumnMap(names: names)
            return .skip
        } catch {
            let reason =
                "header line: \(error.reason) (the first line must name the columns, or give --columns)"
            headerRefusal = reason
            return .rejected(reason)
        }
    }

    private func makeRecord(
        _ fields: [CSVField], _ buffer: UnsafeRawBufferPointer, _ columns: CSVColumnMap
    ) throws(FieldRefusal) -> CallRecord {
        func bytes(_ role: CSVColumnRole) -> UnsafeRawBufferPointer? {
            guard let index = columns[role] else { return nil }
            return UnsafeRawBufferPointer(rebasing: buffer[fields[index].start..<fields[index].end])
        }
        func text(_ role: CSVColumnRole, _ name: String) throws(FieldRefusal) -> String? {
            guard let index = columns[role], fields[index].start < fields[index].end else { return nil }
            return try FieldValue.text(of: fields[index], in: buffer, name)
        }
        func time(_ role: CSVColumnRole, _ name: String, required: Bool) throws(FieldRefusal) -> Int64? {
            guard let raw = bytes(role) else { return nil }
            return try FieldValue.wallTime(raw, name, clock: clock, required: required)
        }
        func seconds(_ role: CSVColumnRole, _ name: String) throws(FieldRefusal) -> Int32? {
            try bytes(role).map { raw throws(FieldRefusal) in try FieldValue.seconds(raw, name) }
        }

        let startTime = try time(.start, "start", required: true)!
        let answerTime = try time(.answer, "answer", required: false)
        let givenDuration = try seconds(.duration, "duration")
        var endTime = try time(.end, "end", required: givenDuration == nil)
        if endTime == nil, let givenDuration { endTime = startTime + Int64(givenDuration) * 1_000_000 }
        let end = endTime!
        let duration = givenDuration ?? FieldValue.secondsBetween(startTime, end)
        let billsec = try seconds(.billsec, "billsec") ?? answerTime.map { FieldValue.secondsBetween($0, end) } ?? 0
        try FieldValue.checkTimes(start: startTime, answer: answerTime, end: end, duration: duration, billable: billsec)

        var recordKey = try text(.recordKey, "record_key")
        if let key = recordKey, let sequence = try text(.sequence, "sequence") { recordKey = key + "#" + sequence }
        return CallRecord(
            startTime: startTime, answerTime: answerTime, endTime: end,
            durationSeconds: duration, billableSeconds: billsec,
            source: try FieldValue.party(bytes(.source)!, "src", normaliser: normaliser),
            destination: try FieldValue.party(bytes(.destination)!, "dst", normaliser: normaliser),
            sourceIP: try sourceIP(text(.sourceIP, "source_ip")),
            callType: try callType(bytes(.callType), lastApp: bytes(.lastApp)),
            disposition: try disposition(bytes(.disposition), answered: answerTime != nil),
            equipment: try equipment(text(.equipment, "equipment"), channel: bytes(.channel)),
            account: try text(.account, "account"),
            recordKey: recordKey)
    }

    private func sourceIP(_ text: String?) throws(FieldRefusal) -> IPAddress? {
        guard let text else { return nil }
        guard let address = IPAddress(text) else {
            throw FieldRefusal("source_ip '\(text.prefix(40))' is not an IPv4 or IPv6 address")
        }
        return address
    }

    /// `call_type` (voice, video, fax) when given, else fax when `lastapp` is a fax application, else voice.
    private func callType(_ raw: UnsafeRawBufferPointer?, lastApp: UnsafeRawBufferPointer?) throws(FieldRefusal)
        -> CallType
    {
        if let raw, !raw.isEmpty {
            guard
                let type = CallType.allCases.first(where: { $0.rawValue.utf8.elementsEqual(raw.lazy.map { $0 | 0x20 }) }
                )
            else {
                throw FieldRefusal("call_type '\(FieldValue.shown(raw))' is not voice, video or fax")
            }
            return type
        }
        return lastApp.map(AsteriskCSVDecoder.isFaxApplication) == true ? .fax : .voice
    }

    /// The `disposition` column in Asterisk's words or cdrstore's; without one, answered or no answer.
    private func disposition(_ raw: UnsafeRawBufferPointer?, answered: Bool) throws(FieldRefusal) -> Disposition {
        guard let raw, !raw.isEmpty else { return answered ? .answered : .noAnswer }
        if let disposition = AsteriskCSVDecoder.disposition(raw)
            ?? Disposition.allCases.first(where: { $0.rawValue.utf8.elementsEqual(raw) })
        {
            return disposition
        }
        throw FieldRefusal(
            "unknown disposition '\(FieldValue.shown(raw))' (expected ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION, "
                + "CANCEL or answered, no_answer, busy, failed, congestion, cancelled)")
    }

    /// The `equipment` column as written, or the peer of an Asterisk `channel` (`SIP/alice-0000002a` → `SIP/alice`).
    private func equipment(_ equipment: String?, channel: UnsafeRawBufferPointer?) throws(FieldRefusal) -> String? {
        if let equipment { return equipment }
        guard let channel, !channel.isEmpty else { return nil }
        let peer = UnsafeRawBufferPointer(rebasing: channel[0..<AsteriskCSVDecoder.peerLength(ofChannel: channel)])
        return try FieldValue.text(peer, "channel")
    }
}
