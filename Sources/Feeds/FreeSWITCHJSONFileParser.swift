import CDRModel

/// Reads files of FreeSWITCH mod_json_cdr documents (`--format freeswitch-json`): one document
/// (`<uuid>.cdr.json`, pretty-printed or not) or several one after another, concatenated or one
/// per line. Top-level objects are framed by matching braces outside strings.
///
/// A document that does not decode is refused (raw = its bytes) and the next one is still read;
/// an unfinished last document is left unconsumed; one over 1 MiB is refused with its first
/// 1 MiB kept. A line that does not start with `{` is taken as an encoded document as
/// mod_json_cdr's `err-log-dir` backups hold them (url-encoded or base64, see `FreeSWITCHPushBody`).
public struct FreeSWITCHJSONFileParser: FeedParser {
    private let decoder: FreeSWITCHJSONDecoder
    /// The number of physical lines consumed so far.
    public var linesConsumed: Int64 = 0
    /// A document over 1 MiB whose end has not been read yet: its refusal and the brace scan so far.
    private var oversized: (rejection: Rejection, scanner: BraceScanner)?

    /// Creates a parser around a decoder.
    public init(decoder: FreeSWITCHJSONDecoder) { self.decoder = decoder }

    /// Where a document over 1 MiB starts whose end has not been read yet.
    public var unfinishedRecordOffset: Int64? { oversized?.rejection.offset }

    /// Parses the complete documents at the start of `buffer`; see `FeedParser`.
    public mutating func parse(
        _ buffer: UnsafeRawBufferPointer, baseOffset: Int64, atEnd: Bool, emit: (FeedEvent) throws -> Void
    ) rethrows -> Int {
        var index = 0
        if let (rejection, oldScanner) = oversized {
            var scanner = oldScanner
            guard let end = scanner.scan(buffer, from: 0) else {
                linesConsumed += Self.newlines(buffer, 0, buffer.count)
                oversized = (rejection, scanner)
                return buffer.count
            }
            oversized = nil
            linesConsumed += Self.newlines(buffer, 0, end)
            index = end
            try emit(
                .rejection(
                    rejection,
                    position: RecordPosition(
                        offset: rejection.offset, endOffset: baseOffset + Int64(end), line: rejection.line,
                        endLines: linesConsumed)))
        }
        while true {
            while index < buffer.count, Self.isSpace(buffer[index]) {
                if buffer[index] == UInt8(ascii: "\n") { linesConsumed += 1 }
                index += 1
            }
            guard index < buffer.count else { return index }
            let start = index
            let line = linesConsumed + 1
            var end: Int
            let document: DecodedRecord
            if buffer[start] == UInt8(ascii: "{") {
                var scanner = BraceScanner()
                let limit = min(buffer.count, start + FeedLimits.maxRecordBytes)
                guard let found = scanner.scan(UnsafeRawBufferPointer(rebasing: buffer[..<limit]), from: start) else {
                    guard buffer.count - start > FeedLimits.maxRecordBytes else { return start }
                    let rejection = Rejection(
                        offset: baseOffset + Int64(start), line: line,
                        raw: Array(buffer[start..<limit]),
                        reason: "JSON document longer than 1 MiB; only its first 1 MiB is kept here")
                    linesConsumed += Self.newlines(buffer, start, limit)
                    oversized = (rejection, scanner)
                    return limit
                }
                end = found
                document = decoder.decode(document: UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
            } else {
                guard let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) else {
                    guard buffer.count - start > FeedLimits.maxRecordBytes else { return start }
                    end = start + FeedLimits.maxRecordBytes
                    document = .rejected("a line longer than 1 MiB that is not a JSON document")
                    return try finish(document, buffer, start, end, line, baseOffset, emit)
                }
                end = newline
                if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                document = decodeEncoded(UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
            }
            index = try finish(document, buffer, start, end, line, baseOffset, emit)
        }
    }

    /// Emits the outcome of the document from `start` to `end` and returns where parsing goes on.
    private mutating func finish(
        _ document: DecodedRecord, _ buffer: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ line: Int64,
        _ baseOffset: Int64, _ emit: (FeedEvent) throws -> Void
    ) rethrows -> Int {
        linesConsumed += Self.newlines(buffer, start, end)
        let raw = UnsafeRawBufferPointer(rebasing: buffer[start..<end])
        let position = RecordPosition(
            offset: baseOffset + Int64(start), endOffset: baseOffset + Int64(end), line: line,
            endLines: linesConsumed)
        switch document {
        case .record(let call): try emit(.record(call, raw: raw, position: position))
        case .rejected(let reason):
            let rejection = Rejection(
                offset: position.offset, line: line, raw: Array(raw.prefix(FeedLimits.maxRecordBytes)), reason: reason)
            try emit(.rejection(rejection, position: position))
        case .skip: break
        }
        return end
    }

    private func decodeEncoded(_ line: UnsafeRawBufferPointer) -> DecodedRecord {
        do {
            let document = try FreeSWITCHPushBody.document(from: Array(line), contentType: nil)
            return document.withUnsafeBytes { decoder.decode(document: $0) }
        } catch {
            return .rejected("not a JSON document: \(error.reason)")
        }
    }

    private static func newlines(_ buffer: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Int64 {
        Int64(buffer[start..<end].reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) })
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\t")
    }
}

/// Finds where a JSON object ends by counting braces outside strings; its state carries over
/// from one buffer to the next.
struct BraceScanner {
    private var depth = 0
    private var inString = false
    private var escaped = false

    /// The index just past the brace that closes the object, or nil when `buffer` ends first.
    mutating func scan(_ buffer: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start
        while index < buffer.count {
            let byte = buffer[index]
            index += 1
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "{") {
                depth += 1
            } else if byte == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 { return index }
            }
        }
        return nil
    }
}
