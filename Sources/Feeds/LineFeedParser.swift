import CDRModel

/// Where a line starts: its byte offset and its physical line number (1-based).
public struct LinePlace: Sendable, Equatable {
    /// Byte offset of the line's first byte.
    public var offset: Int64
    /// Physical line number.
    public var line: Int64

    /// Creates a place.
    public init(offset: Int64, line: Int64) {
        self.offset = offset
        self.line = line
    }
}

/// What a line decoder hands back: a record or a refusal, its raw bytes, and where it started.
public struct LineOutput {
    /// `.record` or `.rejected`; `.skip` is dropped.
    public var decoded: DecodedRecord
    /// The bytes that make the record (valid only during the callback).
    public var raw: UnsafeRawBufferPointer
    /// The line where the record starts.
    public var from: LinePlace
    /// The earliest line still waiting for a later one (see `LineRecordDecoder.unfinishedLine`), as
    /// it is once this output is emitted; nil when none waits.
    public var resumeAt: LinePlace?

    /// Creates an output.
    public init(_ decoded: DecodedRecord, raw: UnsafeRawBufferPointer, from: LinePlace, resumeAt: LinePlace? = nil) {
        self.decoded = decoded
        self.raw = raw
        self.from = from
        self.resumeAt = resumeAt
    }
}

/// Turns lines into calls for one line-based feed format; it may keep state across lines.
public protocol LineRecordDecoder: Sendable {
    /// Decodes one line (without its line end), emitting any outputs it completes.
    mutating func decode(line: UnsafeRawBufferPointer, at place: LinePlace, emit: (LineOutput) throws -> Void) rethrows

    /// The earliest line read whose record is not finished (it waits for a later line): reading
    /// must resume there after a restart. Nil for stateless decoders.
    var unfinishedLine: LinePlace? { get }

    /// Called when the input has no more bytes for now, after its last complete line: a decoder
    /// that holds lines may emit what no later line can still change.
    mutating func endOfInput(emit: (LineOutput) throws -> Void) rethrows
}

extension LineRecordDecoder {
    /// Stateless decoders never leave a line unfinished.
    public var unfinishedLine: LinePlace? { nil }

    /// Stateless decoders hold nothing at the end of the input.
    public mutating func endOfInput(emit: (LineOutput) throws -> Void) rethrows {}
}

/// Frames `\n`-terminated lines (`\r\n` tolerated) and hands each non-blank line to a decoder.
///
/// A line over 1 MiB is refused with its first 1 MiB kept; an unterminated last line is left
/// unconsumed. While the decoder holds an unfinished line, every position it reports resumes
/// there, so that a restart reads that line again.
public struct LineFeedParser<Decoder: LineRecordDecoder>: FeedParser {
    private var decoder: Decoder
    private var linesRead: Int64 = 0
    /// The refusal of a line over 1 MiB whose end has not been read yet; emitted when it is.
    private var oversizedLine: Rejection?

    /// Creates a parser around a decoder.
    public init(decoder: Decoder) { self.decoder = decoder }

    /// Lines consumed up to where reading resumes (the decoder's unfinished line, if any).
    public var linesConsumed: Int64 {
        get { decoder.unfinishedLine.map { $0.line - 1 } ?? linesRead }
        set { linesRead = newValue }
    }

    /// The earlier of a decoder's unfinished line and a line over 1 MiB whose end is not read yet.
    public var unfinishedRecordOffset: Int64? {
        switch (decoder.unfinishedLine?.offset, oversizedLine?.offset) {
        case (let waiting?, let oversized?): return min(waiting, oversized)
        case (let waiting, let oversized): return waiting ?? oversized
        }
    }

    /// Parses the complete lines at the start of `buffer`; see `FeedParser`.
    public mutating func parse(
        _ buffer: UnsafeRawBufferPointer, baseOffset: Int64, atEnd: Bool, emit: (FeedEvent) throws -> Void
    ) rethrows -> Int {
        var index = 0
        if let rejection = oversizedLine {
            guard let newline = Self.newline(in: buffer, from: 0) else { return buffer.count }
            oversizedLine = nil
            linesRead += 1
            index = newline + 1
            try emit(
                .rejection(
                    rejection,
                    position: position(from: rejection.offset, rejection.line, end: baseOffset + Int64(index))))
        }
        while index < buffer.count {
            guard let newline = Self.newline(in: buffer, from: index) else {
                if buffer.count - index > FeedLimits.maxRecordBytes {
                    oversizedLine = Rejection(
                        offset: baseOffset + Int64(index), line: linesRead + 1,
                        raw: Array(buffer[index..<index + FeedLimits.maxRecordBytes]), reason: Self.oversizedReason)
                    return buffer.count
                }
                break
            }
            let place = LinePlace(offset: baseOffset + Int64(index), line: linesRead + 1)
            var contentEnd = newline
            if contentEnd > index, buffer[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
            let line = UnsafeRawBufferPointer(rebasing: buffer[index..<contentEnd])
            linesRead += 1
            let end = baseOffset + Int64(newline + 1)
            index = newline + 1
            if line.count > FeedLimits.maxRecordBytes {
                let rejection = Rejection(
                    offset: place.offset, line: place.line, raw: Array(line.prefix(FeedLimits.maxRecordBytes)),
                    reason: Self.oversizedReason)
                try emit(.rejection(rejection, position: position(from: place.offset, place.line, end: end)))
                continue
            }
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }
            let lines = linesRead
            try decoder.decode(line: line, at: place) { try Self.forward($0, end: end, lines: lines, to: emit) }
        }
        if atEnd {
            let end = baseOffset + Int64(index)
            let lines = linesRead
            try decoder.endOfInput { try Self.forward($0, end: end, lines: lines, to: emit) }
        }
        return index
    }

    /// Passes a decoder's output on as a feed event; `end` and `lines` are where reading resumes
    /// unless a line still waits.
    private static func forward(
        _ output: LineOutput, end: Int64, lines: Int64, to emit: (FeedEvent) throws -> Void
    ) rethrows {
        let position = RecordPosition(
            offset: output.from.offset, endOffset: output.resumeAt?.offset ?? end, line: output.from.line,
            endLines: output.resumeAt.map { $0.line - 1 } ?? lines)
        switch output.decoded {
        case .record(let call): try emit(.record(call, raw: output.raw, position: position))
        case .rejected(let reason):
            let rejection = Rejection(
                offset: output.from.offset, line: output.from.line, raw: Array(output.raw), reason: reason)
            try emit(.rejection(rejection, position: position))
        case .skip: break
        }
    }

    private static var oversizedReason: String { "line longer than 1 MiB; only its first 1 MiB is kept here" }

    /// The position of a refusal made here, resuming at the decoder's unfinished line if it has one.
    private func position(from offset: Int64, _ line: Int64, end: Int64) -> RecordPosition {
        let waiting = decoder.unfinishedLine
        return RecordPosition(
            offset: offset, endOffset: waiting?.offset ?? end, line: line,
            endLines: waiting.map { $0.line - 1 } ?? linesRead)
    }

    private static func newline(in buffer: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < buffer.count else { return nil }
        return buffer[start...].firstIndex(of: UInt8(ascii: "\n"))
    }
}
