/// A feed's parser as its settings make it (`FeedSettings.makeParser`): its format's parser, with
/// the feed's account mapping applied to every record it emits, so that no caller maps accounts.
public struct AnyFeedParser: FeedParser {
    /// The format's parser.
    public var format: FormatParser
    /// The feed's account mapping; nil keeps the accounts as the feed writes them.
    public let accountMapping: AccountMapping?

    /// Wraps a format's parser with an account mapping.
    public init(_ format: FormatParser, accountMapping: AccountMapping? = nil) {
        self.format = format
        self.accountMapping = accountMapping
    }

    /// Parses with the format's parser, mapping each record's account; see `FeedParser`.
    public mutating func parse(
        _ buffer: UnsafeRawBufferPointer, baseOffset: Int64, atEnd: Bool, emit: (FeedEvent) throws -> Void
    ) rethrows -> Int {
        guard let accountMapping else {
            return try format.parse(buffer, baseOffset: baseOffset, atEnd: atEnd, emit: emit)
        }
        return try format.parse(buffer, baseOffset: baseOffset, atEnd: atEnd) { event in
            guard case .record(var call, let raw, let position) = event else { return try emit(event) }
            accountMapping.apply(to: &call)
            try emit(.record(call, raw: raw, position: position))
        }
    }

    /// Lets the format's parser learn from the start of the file; see `FeedParser`.
    public mutating func prepare(fileStart: UnsafeRawBufferPointer) { format.prepare(fileStart: fileStart) }

    /// The format's parser's line count; see `FeedParser`.
    public var linesConsumed: Int64 {
        get { format.linesConsumed }
        set { format.linesConsumed = newValue }
    }

    /// The format's parser's unfinished record; see `FeedParser`.
    public var unfinishedRecordOffset: Int64? { format.unfinishedRecordOffset }
}

/// The parser of one of cdrstore's formats, as a concrete type: the compiler specialises each
/// case's parser for its decoder, which an `any FeedParser` would prevent on the hot path.
public enum FormatParser: FeedParser {
    /// Asterisk `cdr_csv`.
    case asteriskCSV(CSVFeedParser<AsteriskCSVDecoder>)
    /// cdrstore's canonical JSON lines.
    case cdrJSONL(LineFeedParser<CDRJSONLineDecoder>)
    /// FreeSWITCH mod_json_cdr documents.
    case freeSWITCHJSON(FreeSWITCHJSONFileParser)
    /// Kamailio acc syslog lines.
    case kamailioAcc(LineFeedParser<KamailioAccDecoder>)
    /// FreeSWITCH `mod_cdr_csv`.
    case freeSWITCHCSV(CSVFeedParser<FreeSWITCHCSVDecoder>)
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
        case .cdrJSONL(var parser):
            defer { self = .cdrJSONL(parser) }
            return try parser.parse(buffer, baseOffset: baseOffset, atEnd: atEnd, emit: emit)
        case .freeSWITCHJSON(var parser):
            defer { self = .freeSWITCHJSON(parser) }
            return try parser.parse(buffer, baseOffset: baseOffset, atEnd: atEnd, emit: emit)
        case .kamailioAcc(var parser):
            defer { self = .kamailioAcc(parser) }
            return try parser.parse(buffer, baseOffset: baseOffset, atEnd: atEnd, emit: emit)
        case .freeSWITCHCSV(var parser):
            defer { self = .freeSWITCHCSV(parser) }
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
        case .freeSWITCHCSV(var parser):
            parser.prepare(fileStart: fileStart)
            self = .freeSWITCHCSV(parser)
        case .csv(var parser):
            parser.prepare(fileStart: fileStart)
            self = .csv(parser)
        case .ciscoCUCM(var parser):
            parser.prepare(fileStart: fileStart)
            self = .ciscoCUCM(parser)
        case .cdrJSONL, .freeSWITCHJSON, .kamailioAcc:
            break  // their records do not depend on the start of the file
        }
    }

    /// The wrapped parser's line count; see `FeedParser`.
    public var linesConsumed: Int64 {
        get {
            switch self {
            case .asteriskCSV(let parser): return parser.linesConsumed
            case .cdrJSONL(let parser): return parser.linesConsumed
            case .freeSWITCHJSON(let parser): return parser.linesConsumed
            case .kamailioAcc(let parser): return parser.linesConsumed
            case .freeSWITCHCSV(let parser): return parser.linesConsumed
            case .csv(let parser): return parser.linesConsumed
            case .ciscoCUCM(let parser): return parser.linesConsumed
            }
        }
        set {
            switch self {
            case .asteriskCSV(var parser):
                parser.linesConsumed = newValue
                self = .asteriskCSV(parser)
            case .cdrJSONL(var parser):
                parser.linesConsumed = newValue
                self = .cdrJSONL(parser)
            case .freeSWITCHJSON(var parser):
                parser.linesConsumed = newValue
                self = .freeSWITCHJSON(parser)
            case .kamailioAcc(var parser):
                parser.linesConsumed = newValue
                self = .kamailioAcc(parser)
            case .freeSWITCHCSV(var parser):
                parser.linesConsumed = newValue
                self = .freeSWITCHCSV(parser)
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
        case .cdrJSONL(let parser): return parser.unfinishedRecordOffset
        case .freeSWITCHJSON(let parser): return parser.unfinishedRecordOffset
        case .kamailioAcc(let parser): return parser.unfinishedRecordOffset
        case .freeSWITCHCSV(let parser): return parser.unfinishedRecordOffset
        case .csv(let parser): return parser.unfinishedRecordOffset
        case .ciscoCUCM(let parser): return parser.unfinishedRecordOffset
        }
    }
}
