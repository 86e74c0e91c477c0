import CDRModel
import Feeds

/// The records and rejections that one transaction commits, and the file position it reaches.
struct IngestBatch {
    /// A call, its identity, and where its raw bytes are (for a refusal the server makes later).
    struct Row {
        let call: CallRecord
        let hash: RecordHash
        /// The record's first byte in its file (0 for a push) and its line.
        let offset: Int64
        let line: Int64
        /// Where the record's bytes are in `raws`.
        let raw: Range<Int>
    }

    private(set) var rows: [Row] = []
    /// The rows' raw bytes, one after another.
    private var raws: [UInt8] = []
    private var encoded: [UInt8]?
    private(set) var rejections: [Rejection] = []
    private(set) var days: Set<Int64> = []
    private var seen: Set<RecordHash> = []
    /// Records already in this batch, dropped.
    private(set) var duplicatesWithin = 0
    /// True when some row's identity is its record key: the store is asked for those keys before
    /// the COPY, since a merged call and a part of it read again start at different times.
    private(set) var identifiedByKey = false
    /// The file offset and line count just past the last record added.
    var endOffset: Int64
    var endLines: Int64

    init(startOffset: Int64, startLines: Int64) {
        endOffset = startOffset
        endLines = startLines
    }

    /// The number of records and rejections held.
    var count: Int { rows.count + rejections.count }

    /// What `admit` did with a record.
    enum Admission: Equatable {
        /// Added, under this identity.
        case added(RecordHash)
        /// The batch holds a record of the same identity already; counted, not added.
        case duplicate
        /// Refused (a value the store cannot hold, or a start outside the ingest window): now
        /// among the batch's rejections, with its raw bytes and reason.
        case refused(Rejection)
    }

    /// Admits a parsed record of a feed in `format`, read from `raw` at `offset` and `line`: the
    /// one place where every source (file, spool, push) checks what may be stored, inside the
    /// ingest `window`, and gives the record its identity.
    mutating func admit(
        _ call: CallRecord, raw: UnsafeRawBufferPointer, offset: Int64, line: Int64, format: FeedFormat,
        window: IngestWindow
    ) -> Admission {
        if let reason = StorableCall.refusal(of: call) ?? window.refusal(start: call.startTime) {
            let rejection = Rejection(offset: offset, line: line, raw: Array(raw), reason: reason)
            add(rejection)
            return .refused(rejection)
        }
        let hash = RecordHash(of: call, raw: raw, format: format)
        let added = add(
            call, hash: hash, raw: raw, offset: offset, line: line, byKey: RecordHash.isKeyed(call, format: format))
        return added ? .added(hash) : .duplicate
    }

    /// Adds a call unless the batch already holds a record of the same identity; tells whether it
    /// did. `byKey` says the identity is the call's record key.
    @discardableResult
    private mutating func add(
        _ call: CallRecord, hash: RecordHash, raw: some Collection<UInt8>, offset: Int64, line: Int64,
        byKey: Bool = false
    ) -> Bool {
        identifiedByKey = identifiedByKey || byKey
        guard seen.insert(hash).inserted else {
            duplicatesWithin += 1
            return false
        }
        let rawStart = raws.count
        raws.append(contentsOf: raw)
        rows.append(Row(call: call, hash: hash, offset: offset, line: line, raw: rawStart..<raws.count))
        days.insert(call.startTime >= 0 ? call.startTime / 86_400_000_000 : (call.startTime + 1) / 86_400_000_000 - 1)
        return true
    }

    /// Moves the batch's end past a record or rejection.
    mutating func advance(to position: RecordPosition) {
        endOffset = position.endOffset
        endLines = position.endLines
    }

    /// Encodes the rows for COPY ahead of the commit (done on the parsing thread).
    mutating func seal(feed: String) {
        encoded = CallRowEncoder.encode(rows, feed: feed)
    }

    /// The COPY stream for the rows as they are now: the sealed encoding unless rows were removed since.
    func copyData(feed: String) -> [UInt8] {
        encoded ?? CallRowEncoder.encode(rows, feed: feed)
    }

    /// Adds a rejection.
    mutating func add(_ rejection: Rejection) { rejections.append(rejection) }

    /// Moves the rows at `refusals`' indices to the rejections, each with its raw bytes and its
    /// reason; returns each moved row's hash and rejection.
    mutating func refuse(_ refusals: [(index: Int, reason: String)]) -> [RecordHash: Rejection] {
        var moved: [RecordHash: Rejection] = [:]
        for refusal in refusals {
            let row = rows[refusal.index]
            let rejection = Rejection(
                offset: row.offset, line: row.line, raw: Array(raws[row.raw]), reason: refusal.reason)
            rejections.append(rejection)
            moved[row.hash] = rejection
        }
        if !refusals.isEmpty {
            let refused = Set(refusals.map(\.index))
            rows = rows.enumerated().filter { !refused.contains($0.offset) }.map(\.element)
            encoded = nil
        }
        return moved
    }

    /// Drops the rows whose hashes the store already has.
    mutating func removeRows(storedAlready stored: Set<RecordHash>) {
        let before = rows.count
        rows.removeAll { stored.contains($0.hash) }
        if rows.count != before { encoded = nil }
    }

    /// The earliest and latest start among the rows.
    var startRange: ClosedRange<Int64>? {
        guard let first = rows.first else { return nil }
        var low = first.call.startTime
        var high = low
        for row in rows {
            low = min(low, row.call.startTime)
            high = max(high, row.call.startTime)
        }
        return low...high
    }
}
