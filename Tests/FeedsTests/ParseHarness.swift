import CDRModel
import Feeds
import Testing

/// A feed event copied out of the parser's callback, comparable in tests.
enum ParsedEvent: Equatable, CustomStringConvertible {
    case record(CallRecord, raw: [UInt8], position: RecordPosition)
    case rejection(Rejection, position: RecordPosition)

    init(_ event: FeedEvent) {
        switch event {
        case .record(let call, let raw, let position): self = .record(call, raw: Array(raw), position: position)
        case .rejection(let rejection, let position): self = .rejection(rejection, position: position)
        }
    }

    var position: RecordPosition {
        switch self {
        case .record(_, _, let position), .rejection(_, let position): return position
        }
    }

    var raw: [UInt8] {
        switch self {
        case .record(_, let raw, _): return raw
        case .rejection(let rejection, _): return rejection.raw
        }
    }

    var call: CallRecord? {
        if case .record(let call, _, _) = self { return call }
        return nil
    }

    var rejection: Rejection? {
        if case .rejection(let rejection, _) = self { return rejection }
        return nil
    }

    var description: String {
        switch self {
        case .record(let call, _, let position): return "record \(call.recordKey ?? "-") at \(position)"
        case .rejection(let rejection, let position): return "rejection '\(rejection.reason)' at \(position)"
        }
    }
}

/// The events of one `parse` call and the bytes it used.
struct ParseOutcome {
    var events: [ParsedEvent]
    var consumed: Int
}

/// The feed settings of these tests: Asterisk CSV in Stockholm, Swedish numbers.
func stockholmParser(countryCode: String? = "46") throws -> AnyFeedParser {
    try FeedSettings(format: "asterisk-csv", timeZone: "Europe/Stockholm", countryCode: countryCode).makeParser()
}

/// Runs one `parse` call over `bytes`.
func parseOnce(
    _ parser: inout some FeedParser, _ bytes: [UInt8], baseOffset: Int64 = 0, atEnd: Bool = true
) -> ParseOutcome {
    var events: [ParsedEvent] = []
    let consumed = bytes.withUnsafeBytes { buffer in
        parser.parse(buffer, baseOffset: baseOffset, atEnd: atEnd) { events.append(ParsedEvent($0)) }
    }
    return ParseOutcome(events: events, consumed: consumed)
}

/// Parses `bytes` as a whole with a fresh Stockholm parser.
func parseAll(_ bytes: [UInt8], atEnd: Bool = true, countryCode: String? = "46") throws -> ParseOutcome {
    var parser = try stockholmParser(countryCode: countryCode)
    return parseOnce(&parser, bytes, atEnd: atEnd)
}

/// Unix microseconds of a wall time at a fixed UTC offset, by counting days (independent of CivilTime).
func microseconds(
    _ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int, offsetHours: Int = 0
) -> Int64 {
    func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }
    var days = 0
    if year >= 1970 {
        for each in 1970..<year { days += isLeap(each) ? 366 : 365 }
    } else {
        for each in year..<1970 { days -= isLeap(each) ? 366 : 365 }
    }
    let lengths = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    for each in 0..<(month - 1) { days += lengths[each] }
    days += day - 1
    let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetHours * 3600)
    return seconds * 1_000_000
}

/// The record the default `AsteriskRow` stands for (14:03:27 CEST is 12:03:27 UTC).
func defaultRecord(recordKey: String? = "1760184207.42") -> CallRecord {
    CallRecord(
        startTime: microseconds(2026, 10, 11, 12, 3, 27), answerTime: microseconds(2026, 10, 11, 12, 3, 30),
        endTime: microseconds(2026, 10, 11, 12, 5, 30), durationSeconds: 123, billableSeconds: 120,
        source: "+46701234567", destination: "+46812345678", callType: .voice, disposition: .answered,
        equipment: "SIP/alice", account: "acme", recordKey: recordKey)
}
