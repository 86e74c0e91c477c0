import CDRModel

/// Decodes Asterisk `cdr_csv` records (`Master.csv`): 16 columns, plus `uniqueid` and/or
/// `userfield` (`loguniqueid`, `loguserfield`), plus `peeraccount,linkedid,sequence`
/// (`newcdrcolumns`): 16 to 21 columns, decided per line by the column count.
public struct AsteriskCSVDecoder: CSVRecordDecoder {
    private let normaliser: NumberNormaliser
    private let clock: ZoneClock
    private var scratch: [UInt8] = []

    /// The longest call accepted: 7 days.
    public static let maxDurationSeconds = 7 * 86_400

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

    private struct Refusal: Error { let reason: String }

    private mutating func makeRecord(_ fields: [CSVField], _ buffer: UnsafeRawBufferPointer) throws(Refusal)
        -> CallRecord
    {
        func bytes(_ index: Int) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: buffer[fields[index].start..<fields[index].end])
        }
        func text(_ index: Int, _ name: String) throws(Refusal) -> String {
            let field = fields[index]
            let decoded: String?
            if field.hasEscapedQuotes {
                decoded = String(validating: CSVScanner.content(of: field, in: buffer), as: UTF8.self)
            } else {
                decoded = Self.string(validating: bytes(index))
            }
            guard let decoded else { throw Refusal(reason: "field \(index + 1) (\(name)) is not valid UTF-8") }
            return decoded
        }
        func optionalText(_ index: Int, _ name: String) throws(Refusal) -> String? {
            fields[index].start == fields[index].end ? nil : try text(index, name)
        }
        func time(_ index: Int, _ name: String, required: Bool) throws(Refusal) -> Int64? {
            let raw = bytes(index)
            if raw.isEmpty {
                if required { throw Refusal(reason: "\(name) time is empty") }
                return nil
            }
            let shown = String(decoding: raw.prefix(40), as: UTF8.self)
            guard let civil = CivilTime.parse(raw) else {
                throw Refusal(reason: "\(name) time '\(shown)' is not in the form YYYY-MM-DD HH:MM:SS")
            }
            guard civil.isValid else { throw Refusal(reason: "\(name) time '\(shown)' is not a real date and time") }
            guard let seconds = clock.utcSeconds(for: civil) else {
                throw Refusal(
                    reason:
                        "\(name) time '\(shown)' does not exist in \(clock.identifier) (the clocks skip it when summer time starts)"
                )
            }
            return seconds * 1_000_000
        }
        func seconds(_ index: Int, _ name: String) throws(Refusal) -> Int32 {
            let raw = bytes(index)
            var value = 0
            guard !raw.isEmpty, raw.count <= 9 else {
                throw Refusal(
                    reason:
                        "\(name) '\(String(decoding: raw.prefix(40), as: UTF8.self))' is not a whole number of seconds")
            }
            for byte in raw {
                let digit = byte &- UInt8(ascii: "0")
                guard digit < 10 else {
                    let shown = String(decoding: raw.prefix(40), as: UTF8.self)
                    if byte == UInt8(ascii: "-") { throw Refusal(reason: "\(name) '\(shown)' is negative") }
                    throw Refusal(reason: "\(name) '\(shown)' is not a whole number of seconds")
                }
                value = value * 10 + Int(digit)
            }
            guard value <= Self.maxDurationSeconds else {
                throw Refusal(reason: "\(name) of \(value) s is longer than 7 days")
            }
            return Int32(value)
        }

        /// A party in E.164 when certain (straight from the bytes), else as written.
        func party(_ index: Int, _ name: String) throws(Refusal) -> String {
            if !fields[index].hasEscapedQuotes, let e164 = normaliser.e164(bytes(index)) { return e164 }
            return normaliser.normalise(try text(index, name))
        }

        /// The channel's peer, made from the field's bytes directly (the common case has no escaped quotes).
        func equipment() throws(Refusal) -> String? {
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
            guard let text = Self.string(validating: peer) else {
                throw Refusal(reason: "field \(Column.channel + 1) (channel) is not valid UTF-8")
            }
            return text
        }

        let startTime = try time(Column.start, "start", required: true)!
        let answerTime = try time(Column.answer, "answer", required: false)
        let endTime = try time(Column.end, "end", required: true)!
        let duration = try seconds(Column.duration, "duration")
        let billsec = try seconds(Column.billsec, "billsec")
        guard endTime >= startTime else { throw Refusal(reason: "end time is before start time") }
        if let answerTime, answerTime < startTime || answerTime > endTime {
            throw Refusal(reason: "answer time is outside the call (before its start or after its end)")
        }
        guard billsec <= duration else {
            throw Refusal(reason: "billsec (\(billsec)) is greater than duration (\(duration))")
        }
        guard let disposition = Self.disposition(bytes(Column.disposition)) else {
            let shown = String(decoding: bytes(Column.disposition).prefix(40), as: UTF8.self)
            throw Refusal(
                reason:
                    "unknown disposition '\(shown)' (expected ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION or CANCEL)")
        }
        let (uniqueIDIndex, sequenceIndex) = Self.optionalColumns(fields, bytes)
        var recordKey = try uniqueIDIndex.flatMap { index throws(Refusal) in try optionalText(index, "uniqueid") }
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

    /// The text of UTF-8 bytes, or nil when they are not valid UTF-8 (ASCII, the usual case, is checked fast).
    private static func string(validating raw: UnsafeRawBufferPointer) -> String? {
        var ascii = true
        for byte in raw where byte >= 0x80 {
            ascii = false
            break
        }
        if ascii { return String(decoding: raw, as: UTF8.self) }
        return String(validating: raw, as: UTF8.self)
    }

    private static let dispositions: [(spelling: [UInt8], value: Disposition)] = [
        (Array("ANSWERED".utf8), .answered), (Array("NO ANSWER".utf8), .noAnswer), (Array("BUSY".utf8), .busy),
        (Array("FAILED".utf8), .failed), (Array("CONGESTION".utf8), .congestion), (Array("CANCEL".utf8), .cancelled),
    ]

    private static func disposition(_ raw: UnsafeRawBufferPointer) -> Disposition? {
        dispositions.first { $0.spelling.elementsEqual(raw) }?.value
    }

    private static let faxApplications = ["receivefax", "sendfax", "rxfax", "txfax"].map { Array($0.utf8) }

    private static func isFaxApplication(_ raw: UnsafeRawBufferPointer) -> Bool {
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
