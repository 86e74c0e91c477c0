import CDRModel

/// What a CSV feed's decoder makes of one record's fields.
public enum DecodedRecord {
    /// A valid call.
    case record(CallRecord)
    /// A record that must be refused, with the reason.
    case rejected(String)
    /// Nothing to store and nothing wrong (a blank line).
    case skip
}

/// Turns the fields of one CSV record into a call, for one feed format.
public protocol CSVRecordDecoder: Sendable {
    /// Decodes the fields of a record found in `buffer`.
    mutating func decode(_ fields: [CSVField], in buffer: UnsafeRawBufferPointer) -> DecodedRecord

    /// A second reading of a physical line (without its line end) that strict CSV could not make
    /// a record of, for a format whose writer does not escape quotes; nil keeps `refusal`.
    mutating func reread(line: UnsafeRawBufferPointer, refusal: String) -> DecodedRecord?

    /// Reads the file's first record when parsing resumes after it, for a format whose records
    /// depend on it (a header line naming the columns).
    mutating func prepare(fileStart fields: [CSVField], in buffer: UnsafeRawBufferPointer)

    /// True for a format whose files are written whole before anyone reads them (CUCM's flat
    /// files): a last record without a line end is complete at the end of the file.
    static var filesAreDeliveredWhole: Bool { get }
}

extension CSVRecordDecoder {
    /// Strict CSV only: the refusal stands.
    public mutating func reread(line: UnsafeRawBufferPointer, refusal: String) -> DecodedRecord? { nil }

    /// Records that stand alone: nothing to learn.
    public mutating func prepare(fileStart fields: [CSVField], in buffer: UnsafeRawBufferPointer) {}

    /// A file that may still grow: its unterminated last line waits for its end.
    public static var filesAreDeliveredWhole: Bool { false }
}

/// Frames CSV records in a stream and hands their fields to a format's decoder.
///
/// Framing rules: a line longer than `maxRecordBytes` is refused (its first bytes are kept);
/// a record spanning several lines (newlines inside quotes) that fails to decode refuses only its
/// first line, so an unbalanced quote costs one line and not the records after it; before a record
/// is refused, the decoder may read its first line again its own way (`CSVRecordDecoder.reread`);
/// at the end of input, an unterminated last line is left for the next run, unless the format's
/// files are delivered whole (`CSVRecordDecoder.filesAreDeliveredWhole`), where it is the last record.
public struct CSVFeedParser<Decoder: CSVRecordDecoder>: FeedParser {
    /// The longest record accepted.
    public static var maxRecordBytes: Int { FeedLimits.maxRecordBytes }

    private var decoder: Decoder
    private var scanner = CSVScanner()
    /// The refusal of a line over 1 MiB whose end has not been read yet; emitted when it is.
    private var oversizedLine: Rejection?
    /// The number of physical lines consumed so far.
    public var linesConsumed: Int64 = 0

    /// Where a line over 1 MiB starts whose end has not been read yet (its bytes are consumed, its
    /// refusal not yet emitted); reading must resume there, not after the consumed bytes.
    public var unfinishedRecordOffset: Int64? { oversizedLine?.offset }

    /// Creates a parser around a decoder.
    public init(decoder: Decoder) { self.decoder = decoder }

    /// Hands the file's first record, if `fileStart` holds all of it, to the decoder; see `FeedParser`.
    public mutating func prepare(fileStart: UnsafeRawBufferPointer) {
        guard case .record = scanner.scan(fileStart, from: 0) else { return }
        decoder.prepare(fileStart: scanner.fields, in: fileStart)
    }

    /// Parses the complete records at the start of `buffer`; see `FeedParser`.
    public mutating func parse(
        _ buffer: UnsafeRawBufferPointer, baseOffset: Int64, atEnd: Bool, emit: (FeedEvent) throws -> Void
    ) rethrows -> Int {
        var index = 0
        if let rejection = oversizedLine {
            guard let lineEnd = Self.lineEnd(in: buffer, from: 0) else { return buffer.count }
            oversizedLine = nil
            linesConsumed += 1
            index = lineEnd
            let position = RecordPosition(
                offset: rejection.offset, endOffset: baseOffset + Int64(lineEnd), line: rejection.line,
                endLines: linesConsumed)
            try emit(.rejection(rejection, position: position))
        }
        while index < buffer.count {
            let position = baseOffset + Int64(index)
            let outcome = scanner.scan(buffer, from: index)
            switch outcome {
            case .record(let end, _), .malformed(_, let end, _):
                if end - index > Self.maxRecordBytes {
                    index = try rejectOversized(buffer, from: index, baseOffset: baseOffset, emit: emit)
                    continue
                }
            case .needMore: break
            }
            switch outcome {
            case .record(let end, let lines):
                let raw = Self.rawRecord(buffer, index, end)
                switch decoder.decode(scanner.fields, in: buffer) {
                case .record(let call):
                    try emitRecord(
                        call, raw: raw, offset: position, end: baseOffset + Int64(end), lines: lines, emit: emit)
                    index = end
                case .skip:
                    linesConsumed += Int64(lines)
                    index = end
                case .rejected(let reason):
                    index = try refuse(
                        buffer, from: index, recordEnd: end, lines: lines, reason: reason,
                        baseOffset: baseOffset, emit: emit)
                }
            case .malformed(let reason, let end, let lines):
                index = try refuse(
                    buffer, from: index, recordEnd: end, lines: lines, reason: reason,
                    baseOffset: baseOffset, emit: emit)
            case .needMore:
                let remaining = buffer.count - index
                if remaining > Self.maxRecordBytes {
                    index = try rejectOversized(buffer, from: index, baseOffset: baseOffset, emit: emit)
                } else if atEnd, Decoder.filesAreDeliveredWhole {
                    return try finishLastRecord(buffer, from: index, baseOffset: baseOffset, emit: emit)
                } else if atEnd, let lineEnd = Self.lineEnd(in: buffer, from: index) {
                    index = try refuse(
                        buffer, from: index, recordEnd: lineEnd, lines: 1,
                        reason: "unbalanced quote: a quoted field opened on this line is never closed",
                        baseOffset: baseOffset, emit: emit)
                } else {
                    return index
                }
            }
        }
        return index
    }

    /// Reads the bytes from `index` to the end of a file delivered whole as its last record (the
    /// writer put no line end after it) and returns the buffer's length.
    private mutating func finishLastRecord(
        _ buffer: UnsafeRawBufferPointer, from index: Int, baseOffset: Int64, emit: (FeedEvent) throws -> Void
    ) rethrows -> Int {
        let raw = UnsafeRawBufferPointer(rebasing: buffer[index...])
        let terminated = Array(raw) + [UInt8(ascii: "\n")]
        let offset = baseOffset + Int64(index)
        let end = baseOffset + Int64(buffer.count)
        try terminated.withUnsafeBytes { last in
            let decoded: DecodedRecord
            let lines: Int
            switch scanner.scan(last, from: 0) {
            case .record(_, let count):
                decoded = decoder.decode(scanner.fields, in: last)
                lines = count
            case .malformed(let reason, _, let count):
                decoded = .rejected(reason)
                lines = count
            case .needMore:
                decoded = .rejected("unbalanced quote: a quoted field opened on this line is never closed")
                lines = 1
            }
            switch decoded {
            case .record(let call):
                try emitRecord(call, raw: raw, offset: offset, end: end, lines: lines, emit: emit)
            case .skip:
                linesConsumed += Int64(lines)
            case .rejected(let reason):
                let rejection = Rejection(offset: offset, line: linesConsumed + 1, raw: Array(raw), reason: reason)
                linesConsumed += Int64(lines)
                try emit(
                    .rejection(
                        rejection,
                        position: RecordPosition(
                            offset: offset, endOffset: end, line: rejection.line, endLines: linesConsumed)))
            }
        }
        return buffer.count
    }

    private mutating func emitRecord(
        _ call: CallRecord, raw: UnsafeRawBufferPointer, offset: Int64, end: Int64, lines: Int,
        emit: (FeedEvent) throws -> Void
    ) rethrows {
        let line = linesConsumed + 1
        linesConsumed += Int64(lines)
        try emit(
            .record(
                call, raw: raw,
                position: RecordPosition(offset: offset, endOffset: end, line: line, endLines: linesConsumed)))
    }

    /// Lets the decoder read the record's first line again (see `CSVRecordDecoder.reread`), else refuses the record.
    private mutating func refuse(
        _ buffer: UnsafeRawBufferPointer, from start: Int, recordEnd: Int, lines: Int, reason: String,
        baseOffset: Int64, emit: (FeedEvent) throws -> Void
    ) rethrows -> Int {
        let lineEnd = lines > 1 ? Self.lineEnd(in: buffer, from: start) ?? recordEnd : recordEnd
        let line = Self.rawRecord(buffer, start, lineEnd)
        switch decoder.reread(line: line, refusal: reason) {
        case nil:
            return try reject(
                buffer, from: start, recordEnd: recordEnd, lines: lines, reason: reason, baseOffset: baseOffset,
                emit: emit)
        case .record(let call):
            try emitRecord(
                call, raw: line, offset: baseOffset + Int64(start), end: baseOffset + Int64(lineEnd), lines: 1,
                emit: emit)
        case .skip:
            linesConsumed += 1
        case .rejected(let reason):
            return try rejectLine(
                buffer, from: start, lineEnd: lineEnd, reason: reason, baseOffset: baseOffset, emit: emit)
        }
        return lineEnd
    }

    private mutating func reject(
        _ buffer: UnsafeRawBufferPointer, from start: Int, recordEnd: Int, lines: Int, reason: String,
        baseOffset: Int64, emit: (FeedEvent) throws -> Void
    ) rethrows -> Int {
        guard lines > 1, let lineEnd = Self.lineEnd(in: buffer, from: start) else {
            return try rejectLine(
                buffer, from: start, lineEnd: recordEnd, lines: lines, reason: reason,
                baseOffset: baseOffset, emit: emit)
        }
        return try rejectLine(
            buffer, from: start, lineEnd: lineEnd,
            reason:
                "\(reason) (the record spans \(lines) lines, probably an unbalanced quote; only its first line is refused)",
            baseOffset: baseOffset, emit: emit)
    }

    private mutating func rejectLine(
        _ buffer: UnsafeRawBufferPointer, from start: Int, lineEnd: Int, lines: Int = 1, reason: String,
        baseOffset: Int64, emit: (FeedEvent) throws -> Void
    ) rethrows -> Int {
        try emitRejection(
            buffer, from: start, rawEnd: lineEnd, resume: lineEnd, lines: lines, reason: reason, baseOffset: baseOffset,
            emit: emit)
    }

    private mutating func rejectOversized(
        _ buffer: UnsafeRawBufferPointer, from start: Int, baseOffset: Int64, emit: (FeedEvent) throws -> Void
    ) rethrows -> Int {
        let limit = start + Self.maxRecordBytes
        let lineEnd = Self.lineEnd(in: buffer, from: start)
        if let lineEnd, lineEnd <= limit {
            return try rejectLine(
                buffer, from: start, lineEnd: lineEnd,
                reason: "a record longer than 1 MiB starts on this line (an unbalanced quote or a field over 1 MiB)",
                baseOffset: baseOffset, emit: emit)
        }
        let reason = "line longer than 1 MiB; only its first 1 MiB is kept here"
        guard let lineEnd else {
            oversizedLine = Rejection(
                offset: baseOffset + Int64(start), line: linesConsumed + 1,
                raw: Array(UnsafeRawBufferPointer(rebasing: buffer[start..<limit])), reason: reason)
            return buffer.count
        }
        return try emitRejection(
            buffer, from: start, rawEnd: limit, resume: lineEnd, lines: 1, reason: reason, baseOffset: baseOffset,
            emit: emit)
    }

    /// Emits the rejection of the bytes from `start` to `rawEnd` and returns `resume`, where parsing goes on.
    private mutating func emitRejection(
        _ buffer: UnsafeRawBufferPointer, from start: Int, rawEnd: Int, resume: Int, lines: Int, reason: String,
        baseOffset: Int64, emit: (FeedEvent) throws -> Void
    ) rethrows -> Int {
        let rejection = Rejection(
            offset: baseOffset + Int64(start), line: linesConsumed + 1,
            raw: Array(Self.rawRecord(buffer, start, rawEnd)), reason: reason)
        linesConsumed += Int64(lines)
        let position = RecordPosition(
            offset: rejection.offset, endOffset: baseOffset + Int64(resume), line: rejection.line,
            endLines: linesConsumed)
        try emit(.rejection(rejection, position: position))
        return resume
    }

    private static func lineEnd(in buffer: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start
        while index < buffer.count {
            if buffer[index] == UInt8(ascii: "\n") { return index + 1 }
            index += 1
        }
        return nil
    }

    private static func rawRecord(_ buffer: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> UnsafeRawBufferPointer
    {
        var last = end
        if last > start, buffer[last - 1] == UInt8(ascii: "\n") { last -= 1 }
        if last > start, buffer[last - 1] == UInt8(ascii: "\r") { last -= 1 }
        return UnsafeRawBufferPointer(rebasing: buffer[start..<last])
    }
}
