/// The parser of one of cdrstore's formats, as a concrete type: the compiler specialises each
/// case's parser for its decoder, which an `any FeedParser` would prevent on the hot path.
public enum AnyFeedParser: FeedParser {
    /// Asterisk `cdr_csv`.
    case asteriskCSV(CSVFeedParser<AsteriskCSVDecoder>)
    /// FreeSWITCH `mod_cdr_csv`.
    case freeswitchCSV(CSVFeedParser<FreeSWITCHCSVDecoder>)
    /// Any CSV with named columns.
    case csv(CSVFeedParser<GenericCSVDecoder>)
    /// Cisco Unified CM CDR files.
    case ciscoCUCM(CSVFeedParser<CiscoCUCMDecoder>)

    /// Parses with the wrapped parser; see `FeedParser`.
    public mutating func parse(
        _ buffer: UnsafeRawBufferPointer, baseOffset: Int64, atEnd: Bool, emit: (FeedEvent) throws -> Void
    ) rethrows -> Int {
        switch self {
        case .asteriskCSV(var parser):
            defer { self = .asteriskCSV(parser) }
            return try parser.parse(buffer, baseOffset: baseOffset, atEnd: atEnd, emit: emit)
        case .freeswitchCSV(var parser):
            defer { self = .freeswitchCSV(parser) }
            return try parser.parse(buffer, baseOffset: baseOffset, atEnd: atEnd, emit: emit)
        case .csv(var parser):
            defer { self = .csv(parser) }
            return try parser.parse(buffer, baseOffset: baseOffset, atEnd: atEnd, emit: emit)
        case .ciscoCUCM(var parser):
            defer { self = .ciscoCUCM(parser) }
            return try parser.parse(buffer, baseOffset: baseOffset, atEnd: atEnd, emit: emit)
        }
    }

    /// Lets the wrapped parser learn from the start of the file; see `FeedParser`.
    public mutating func prepare(fileStart: UnsafeRawBufferPointer) {
        switch self {
        case .asteriskCSV(var parser):
            parser.prepare(fileStart: fileStart)
            self = .asteriskCSV(parser)
        case .freeswitchCSV(var parser):
            parser.prepare(fileStart: fileStart)
            self = .freeswitchCSV(parser)
        case .csv(var parser):
            parser.prepare(fileStart: fileStart)
            self = .csv(parser)
        case .ciscoCUCM(var parser):
            parser.prepare(fileStart: fileStart)
            self = .ciscoCUCM(parser)
        }
    }

    /// The wrapped parser's line count; see `FeedParser`.
    public var linesConsumed: Int64 {
        get {
            switch self {
            case .asteriskCSV(let parser): return parser.linesConsumed
            case .freeswitchCSV(let parser): return parser.linesConsumed
            case .csv(let parser): return parser.linesConsumed
            case .ciscoCUCM(let parser): return parser.linesConsumed
            }
        }
        set {
            switch self {
            case .asteriskCSV(var parser):
                parser.linesConsumed = newValue
                self = .asteriskCSV(parser)
            case .freeswitchCSV(var parser):
                parser.linesConsumed = newValue
                self = .freeswitchCSV(parser)
            case .csv(var parser):
                parser.linesConsumed = newValue
                self = .csv(parser)
            case .ciscoCUCM(var parser):
                parser.linesConsumed = newValue
                self = .ciscoCUCM(parser)
            }
        }
    }

    /// The wrapped parser's unfinished record; see `FeedParser`.
    public var unfinishedRecordOffset: Int64? {
        switch self {
        case .asteriskCSV(let parser): return parser.unfinishedRecordOffset
        case .freeswitchCSV(let parser): return parser.unfinishedRecordOffset
        case .csv(let parser): return parser.unfinishedRecordOffset
        case .ciscoCUCM(let parser): return parser.unfinishedRecordOffset
        }
    }
}
