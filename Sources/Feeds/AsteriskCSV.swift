import CDRModel

/// Decodes Asterisk `cdr_csv` records (`Master.csv`): 16 columns, plus `uniqueid` and/or
/// `userfield` (`loguniqueid`, `loguserfield`), plus `peeraccount,linkedid,sequence`
/// (`newcdrcolumns`): 16 to 21 columns, decided per line by the column count.
public struct AsteriskCSVDecoder: CSVRecordDecoder {
    private let normaliser: NumberNormaliser
    private let clock: ZoneClock
    private var scratch: [UInt8] = []

    /// Creates a decoder for a feed whose wall times are in `clock`'s zone.
    public init(normaliser: NumberNormaliser, clock: ZoneClock) {
        self.normaliser = normaliser
        self.clock = clock
    }

    private enum Column {
        static let accountCode = 0, source = 1, destination = 2, channel = 5, lastApp = 7
        static let start = 9, answer = 10, end = 11, duration = 12, billsec = 13, disposition = 14
    }

    /// Decodes one record; see `CSVRecordDecoder`.
    public mutating func decode(_ fields: [CSVField], in buffer: UnsafeRawBufferPointer) -> DecodedRecord {
        if fields.count == 1, fields[0].start == fields[0].end { return .skip }
        guard (16...21).contains(fields.count) else {
            return .rejected(
                "expected 16 to 21 columns (Asterisk cdr_csv with or without uniqueid, userfield and newcdrcolumns), found \(fields.count)"
            )
        }
        do {
            return .record(try makeRecord(fields, buffer))
        } catch {
            return .rejected(error.reason)
        }
    }

    private mutating func makeRecord(_ fields: [CSVField], _ buffer: UnsafeRawBufferPointer) throws(FieldRefusal)
        -> CallRecord
    {
        func bytes(_ index: Int) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: buffer[fields[index].start..<fields[index].end])
        }
        func text(_ index: Int, _ name: String) throws(FieldRefusal) -> String {
            let field = fields[index]
            guard field.hasEscapedQuotes else {
                return try FieldValue.text(bytes(index), "field \(index + 1) (\(name))")
            }
            guard let decoded = String(validating: CSVScanner.content(of: field, in: buffer), as: UTF8.self) else {
                throw FieldRefusal("field \(index + 1) (\(name)) is not valid UTF-8")
            }
            return decoded
        }
        func optionalText(_ index: Int, _ name: String) throws(FieldRefusal) -> String? {
            fields[index].start == fields[index].end ? nil : try text(index, name)
        }

        /// A party in E.164 when certain (straight from the bytes), else as written.
        func party(_ index: Int, _ name: String) throws(FieldRefusal) -> String {
            if !fields[index].hasEscapedQuotes, let e164 = normaliser.e164(bytes(index)) { return e164 }
            return normaliser.normalise(try text(index, name))
        }

        /// The channel's peer, made from the field's bytes directly (the common case has no escaped quotes).
        func equipment() throws(FieldRefusal) -> String? {
            guard !fields[Column.channel].hasEscapedQuotes else {
                guard var channel = try optionalText(Column.channel, "channel") else { return nil }
                return channel.withUTF8 { utf8 in
                    String(
                        decoding: utf8.prefix(Self.peerLength(ofChannel: UnsafeRawBufferPointer(utf8))), as: UTF8.self)
                }
            }
            let raw = bytes(Column.channel)
            guard !raw.isEmpty else { return nil }
            let peer = UnsafeRawBufferPointer(rebasing: raw[0..<Self.peerLength(ofChannel: raw)])
            return try FieldValue.text(peer, "field \(Column.channel + 1) (channel)")
        }

        let startTime = try FieldValue.wallTime(bytes(Column.start), "start", clock: clock, required: true)!
        let answerTime = try FieldValue.wallTime(bytes(Column.answer), "answer", clock: clock, required: false)
        let endTime = try FieldValue.wallTime(bytes(Column.end), "end", clock: clock, required: true)!
        let duration = try FieldValue.seconds(bytes(Column.duration), "duration")
        let billsec = try FieldValue.seconds(bytes(Column.billsec), "billsec")
        try FieldValue.checkTimes(
            start: startTime, answer: answerTime, end: endTime, duration: duration, billable: billsec)
        guard let disposition = Self.disposition(bytes(Column.disposition)) else {
            throw FieldRefusal(
                "unknown disposition '\(FieldValue.shown(bytes(Column.disposition)))' (expected ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION or CANCEL)"
            )
        }
        let (uniqueIDIndex, sequenceIndex) = Self.optionalColumns(fields, bytes)
        var recordKey = try uniqueIDIndex.flatMap { index throws(FieldRefusal) in try optionalText(index, "uniqueid") }
        if let key = recordKey, let sequenceIndex, let sequence = try optionalText(sequenceIndex, "sequence") {
            recordKey = key + "#" + sequence
        }
        return CallRecord(
            startTime: startTime, answerTime: answerTime, endTime: endTime,
            durationSeconds: duration, billableSeconds: billsec,
            source: try party(Column.source, "src"),
            destination: try party(Column.destination, "dst"),
            callType: Self.isFaxApplication(bytes(Column.lastApp)) ? .fax : .voice,
            disposition: disposition,
            equipment: try equipment(),
            account: try optionalText(Column.accountCode, "accountcode"),
            recordKey: recordKey)
    }

    /// Where `uniqueid` and `sequence` are for a line of this many columns.
    private static func optionalColumns(
        _ fields: [CSVField], _ bytes: (Int) -> UnsafeRawBufferPointer
    ) -> (uniqueID: Int?, sequence: Int?) {
        switch fields.count {
        case 17: return (looksLikeUniqueID(bytes(16)) ? 16 : nil, nil)
        case 18: return (16, nil)
        case 19: return (nil, 18)
        case 20: return (looksLikeUniqueID(bytes(16)) ? 16 : nil, 19)
        case 21: return (16, 20)
        default: return (nil, nil)
        }
    }

    /// A uniqueid is `<epoch>.<counter>`, optionally after a `systemname-` prefix.
    static func looksLikeUniqueID(_ raw: UnsafeRawBufferPointer) -> Bool {
        guard let dot = raw.lastIndex(of: UInt8(ascii: ".")), dot > 0, dot < raw.count - 1 else { return false }
        let counter = raw[(dot + 1)...]
        var epochStart = dot
        while epochStart > 0, raw[epochStart - 1] &- UInt8(ascii: "0") < 10 { epochStart -= 1 }
        return counter.allSatisfy { $0 &- UInt8(ascii: "0") < 10 } && dot - epochStart >= 9
            && (epochStart == 0 || raw[epochStart - 1] == UInt8(ascii: "-"))
    }

    private static let dispositions: [(spelling: [UInt8], value: Disposition)] = [
        (Array("ANSWERED".utf8), .answered), (Array("NO ANSWER".utf8), .noAnswer), (Array("BUSY".utf8), .busy),
        (Array("FAILED".utf8), .failed), (Array("CONGESTION".utf8), .congestion), (Array("CANCEL".utf8), .cancelled),
    ]

    static func disposition(_ raw: UnsafeRawBufferPointer) -> Disposition? {
        dispositions.first { $0.spelling.elementsEqual(raw) }?.value
    }

    private static let faxApplications = ["receivefax", "sendfax", "rxfax", "txfax"].map { Array($0.utf8) }

    static func isFaxApplication(_ raw: UnsafeRawBufferPointer) -> Bool {
        guard (5...10).contains(raw.count) else { return false }
        return faxApplications.contains { name in name.elementsEqual(raw.lazy.map { $0 | 0x20 }) }
    }

    /// The length of the peer part of a channel name's bytes: `SIP/alice-0000000a` → `SIP/alice`,
    /// `Local/100@ctx-0001;1` → `Local/100@ctx`.
    static func peerLength(ofChannel channel: UnsafeRawBufferPointer) -> Int {
        var end = channel.count
        if let semicolon = channel.lastIndex(of: UInt8(ascii: ";")),
            channel[(semicolon + 1)...].allSatisfy({ $0 &- UInt8(ascii: "0") < 10 })
        {
            end = semicolon
        }
        if let slash = channel.firstIndex(of: UInt8(ascii: "/")),
            let dash = channel[..<end].lastIndex(of: UInt8(ascii: "-")), dash > slash
        {
            let suffix = channel[(dash + 1)..<end]
            if !suffix.isEmpty, suffix.allSatisfy(isHexDigit) { end = dash }
        }
        return end
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10 || (byte | 0x20) &- UInt8(ascii: "a") < 6
    }
}
