import CDRModel

/// A record the parser could not accept: where it was, its raw bytes, and why.
public struct Rejection: Sendable, Equatable {
    /// Byte offset of the record's first byte in the file.
    public var offset: Int64
    /// Physical line number (1-based) where the record starts.
    public var line: Int64
    /// The record's bytes as they were, without the line end.
    public var raw: [UInt8]
    /// What was wrong, in words an operator can act on.
    public var reason: String

    /// Creates a rejection.
    public init(offset: Int64, line: Int64, raw: [UInt8], reason: String) {
        self.offset = offset
        self.line = line
        self.raw = raw
        self.reason = reason
    }
}

/// Where a record sat in its file.
public struct RecordPosition: Sendable, Equatable {
    /// Byte offset of its first byte.
    public var offset: Int64
    /// Byte offset just past its line end: where reading resumes after it.
    public var endOffset: Int64
    /// Physical line number (1-based) where it starts.
    public var line: Int64
    /// Physical lines consumed once it is read: the line count where reading resumes after it.
    public var endLines: Int64

    /// Creates a position.
    public init(offset: Int64, endOffset: Int64, line: Int64, endLines: Int64) {
        self.offset = offset
        self.endOffset = endOffset
        self.line = line
        self.endLines = endLines
    }
}

/// What a feed parser found in the bytes it was given.
public enum FeedEvent {
    /// A record and its raw bytes (valid only during the callback, without the line end).
    case record(CallRecord, raw: UnsafeRawBufferPointer, position: RecordPosition)
    /// A record that was refused, and where it was.
    case rejection(Rejection, position: RecordPosition)
}

/// Limits every feed parser keeps.
public enum FeedLimits {
    /// The longest record: 1 MiB. A parser never leaves more than this unconsumed at the end of a buffer.
    public static let maxRecordBytes = 1 << 20
}

/// A parser of one feed format: pure, streaming, byte-level; it knows nothing of the database.
public protocol FeedParser: Sendable {
    /// Parses the complete records at the start of `buffer` and returns how many bytes it used.
    ///
    /// `buffer` starts at byte `baseOffset` of the input; `atEnd` says no more bytes follow, in
    /// which case an unterminated last line is left unconsumed (a file still being written).
    mutating func parse(
        _ buffer: UnsafeRawBufferPointer, baseOffset: Int64, atEnd: Bool, emit: (FeedEvent) throws -> Void
    ) rethrows -> Int

    /// The number of physical lines consumed so far; set it when resuming mid-file.
    var linesConsumed: Int64 { get set }

    /// Learns what later records depend on (a header line naming the columns) from `fileStart`,
    /// the file's first bytes (up to 1 MiB, never past where reading resumes); called by
    /// `FeedFileReader.parse(from:with:)` before parsing when it starts mid-file. Its events,
    /// if it had any, are not wanted: the bytes were read in an earlier run.
    mutating func prepare(fileStart: UnsafeRawBufferPointer)

    /// The offset of a record whose bytes were consumed but which is not finished yet, if any:
    /// the place to resume from when the input ends there.
    var unfinishedRecordOffset: Int64? { get }
}

extension FeedParser {
    /// Records that stand alone: nothing to learn from the start of the file.
    public mutating func prepare(fileStart: UnsafeRawBufferPointer) {}
}
