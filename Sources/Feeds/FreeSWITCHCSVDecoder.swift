import CDRModel

/// Decodes FreeSWITCH `mod_cdr_csv` lines written with the shipped `example` template: 15 quoted
/// columns `caller_id_name, caller_id_number, destination_number, context, start_stamp,
/// answer_stamp, end_stamp, duration, billsec, hangup_cause, uuid, bleg_uuid, accountcode,
/// read_codec, write_codec`.
///
/// FreeSWITCH escapes nothing, so a quote inside a field (a caller name) makes a line that strict
/// CSV refuses; such a line is read again by splitting it on the `","` between its fields, and kept
/// when that gives exactly 15 columns. Field bytes are always taken literally (`""` is two quotes).
public struct FreeSWITCHCSVDecoder: CSVRecordDecoder {
    private let normaliser: NumberNormaliser
    private let clock: ZoneClock
    /// The columns of a line split on `","`, kept between lines to save an allocation.
    private var pieces: [CSVField] = []

    /// The example template's column count.
    static let columnCount = 15

    /// Creates a decoder for a feed whose wall times are in `clock`'s zone.
    public init(normaliser: NumberNormaliser, clock: ZoneClock) {
        self.normaliser = normaliser
        self.clock = clock
    }

    private enum Column {
        static let callerNumber = 1, destination = 2, start = 4, answer = 5, end = 6, duration = 7, billsec = 8
        static let hangupCause = 9, uuid = 10, blegUUID = 11, accountCode = 12
    }

    /// Decodes one strictly read record; see `CSVRecordDecoder`.
    public mutating func decode(_ fields: [CSVField], in buffer: UnsafeRawBufferPointer) -> DecodedRecord {
        if fields.count == 1, fields[0].start == fields[0].end { return .skip }
        guard fields.count == Self.columnCount else {
            return .rejected(
                "expected \(Self.columnCount) columns (FreeSWITCH mod_cdr_csv example template), found \(fields.count)")
        }
        return record(fields, buffer)
    }

    /// Reads a line that strict CSV refused by splitting it on `","`: exactly 14 separators, none
    /// overlapping another (`",","`), is the one reading; more means a field holds `","` and the
    /// columns cannot be told apart.
    public mutating func reread(line: UnsafeRawBufferPointer, refusal: String) -> DecodedRecord? {
        let quote = UInt8(ascii: "\"")
        let comma = UInt8(ascii: ",")
        guard line.count >= 2, line.first == quote, line.last == quote else { return nil }
        pieces.removeAll(keepingCapacity: true)
        var separators = 0
        var fieldStart = 1
        let last = line.count - 1
        var index = 1
        while index + 2 < last {
            if line[index] == quote, line[index + 1] == comma, line[index + 2] == quote {
                separators += 1
                if index >= fieldStart {
                    pieces.append(CSVField(start: fieldStart, end: index, hasEscapedQuotes: false))
                    fieldStart = index + 3
                }
            }
            index += 1
        }
        pieces.append(CSVField(start: fieldStart, end: last, hasEscapedQuotes: false))
        if separators < Self.columnCount - 1 {
            return .rejected(
                "expected \(Self.columnCount) columns (FreeSWITCH mod_cdr_csv example template), found "
                    + "\(separators + 1) between the \",\" separators (\(refusal))")
        }
        guard separators == Self.columnCount - 1, pieces.count == Self.columnCount else {
            return .rejected(
                "\(separators) \",\" separators where the example template has \(Self.columnCount - 1): a field "
                    + "contains \",\" (FreeSWITCH does not escape it), so the columns cannot be told apart")
        }
        return record(pieces, line)
    }

    private func record(_ fields: [CSVField], _ buffer: UnsafeRawBufferPointer) -> DecodedRecord {
        do {
            return .record(try makeRecord(fields, buffer))
        } catch {
            return .rejected(error.reason)
        }
    }

    private func makeRecord(_ fields: [CSVField], _ buffer: UnsafeRawBufferPointer) throws(FieldRefusal) -> CallRecord {
        func bytes(_ index: Int) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: buffer[fields[index].start..<fields[index].end])
        }
        let startTime = try FieldValue.wallTime(bytes(Column.start), "start_stamp", clock: clock, required: true)!
        let answerTime = try FieldValue.wallTime(bytes(Column.answer), "answer_stamp", clock: clock, required: false)
        let endTime = try FieldValue.wallTime(bytes(Column.end), "end_stamp", clock: clock, required: true)!
        let duration = try FieldValue.seconds(bytes(Column.duration), "duration")
        let billsec = try FieldValue.seconds(bytes(Column.billsec), "billsec")
        try FieldValue.checkTimes(
            start: startTime, answer: answerTime, end: endTime, duration: duration, billable: billsec)
        return CallRecord(
            startTime: startTime, answerTime: answerTime, endTime: endTime,
            durationSeconds: duration, billableSeconds: billsec,
            source: try FieldValue.party(bytes(Column.callerNumber), "caller_id_number", normaliser: normaliser),
            destination: try FieldValue.party(bytes(Column.destination), "destination_number", normaliser: normaliser),
            callType: .voice,
            disposition: FreeSWITCHHangupCause.disposition(
                FieldValue.string(validating: bytes(Column.hangupCause)), billsec: billsec),
            account: try FieldValue.optionalText(bytes(Column.accountCode), "accountcode"),
            recordKey: try FieldValue.optionalText(bytes(Column.uuid), "uuid"),
            linkedKey: try FieldValue.optionalText(bytes(Column.blegUUID), "bleg_uuid"))
    }
}
