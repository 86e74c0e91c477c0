import CDRModel
import Feeds

/// The records of one push request for one feed, waiting to be committed together with others.
public struct PushSubmission: Sendable {
    /// A pushed call, its raw bytes (its identity, and its reject row if the window refuses it) and where it was.
    struct Item: Sendable {
        let call: CallRecord
        let raw: [UInt8]
        let line: Int64
    }

    /// The feed the records belong to.
    public let feed: String
    /// The feed's format, which says what identifies a record (its bytes, or its record key).
    public let format: FeedFormat
    /// Where they came from, for `cdr.reject.source_name` (e.g. `POST /v1/feeds/pbx1/records`).
    public let source: String
    private(set) var items: [Item] = []
    /// The records refused while parsing the request.
    public private(set) var rejections: [Rejection] = []

    /// Starts an empty submission.
    public init(feed: String, format: FeedFormat, source: String) {
        self.feed = feed
        self.format = format
        self.source = source
    }

    /// Adds a call whose raw record bytes were `raw`, found on `line` of the request body.
    public mutating func add(_ call: CallRecord, raw: UnsafeRawBufferPointer, line: Int64) {
        items.append(Item(call: call, raw: Array(raw), line: line))
    }

    /// Adds a refused record.
    public mutating func add(_ rejection: Rejection) { rejections.append(rejection) }

    /// Adds what a feed parser emits.
    public mutating func add(_ event: FeedEvent) {
        switch event {
        case .record(let call, let raw, let position): add(call, raw: raw, line: position.line)
        case .rejection(let rejection, _): add(rejection)
        }
    }

    /// Records and rejections held.
    public var count: Int { items.count + rejections.count }
}

/// What the commit of one submission did.
public struct PushOutcome: Sendable, Equatable {
    /// Records stored now.
    public var ingested = 0
    /// Records the feed already had (an earlier push or a retry), not stored again.
    public var duplicates = 0
    /// The refused records, now in `cdr.reject`, with their reasons.
    public var rejections: [Rejection] = []
}
