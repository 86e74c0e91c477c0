import CDRModel

/// Decodes Kamailio acc module syslog lines (`--format kamailio-acc`).
///
/// Transaction lines (`ACC: transaction answered: timestamp=…;method=…;call_id=…;code=…`): an
/// answered INVITE (2xx) waits for the BYE with its `call_id`, and the two make one call (start
/// and answer at the INVITE, end at the BYE; raw = both lines joined by `\n`); a failed or missed
/// INVITE (code ≥ 300, or a `missed`/`failed` line) is an unanswered call at once. Other methods
/// and lines that are not acc lines are skipped. Dialog CDR lines (`start_time=…; end_time=…;
/// duration=…`) are one call each.
///
/// While an INVITE waits, `unfinishedLine` names the earliest, and every output resumes there, so
/// that a restart reads it again (the calls read again have the same bytes; the store drops them).
public struct KamailioAccDecoder: LineRecordDecoder {
    private let normaliser: NumberNormaliser
    /// Answered INVITEs waiting for their BYE, by call id.
    private var waiting: [String: WaitingInvite] = [:]
    /// Call ids in the order their INVITEs were read; entries before `head`, and those no longer
    /// waiting, are spent.
    private var order: [(callID: String, offset: Int64)] = []
    private var head = 0
    private var pair: [UInt8] = []

    /// Creates a decoder.
    public init(normaliser: NumberNormaliser) { self.normaliser = normaliser }

    /// An answered INVITE: where it is, its bytes and its call so far.
    private struct WaitingInvite {
        let place: LinePlace
        let line: [UInt8]
        let call: CallRecord
    }

    /// What one transaction line means.
    private enum Step {
        case skip
        case call(CallRecord)
        case answered(CallRecord)
        case bye(callID: String, time: Int64)
    }

    /// The earliest INVITE still waiting for its BYE.
    public var unfinishedLine: LinePlace? {
        head < order.count ? waiting[order[head].callID]?.place : nil
    }

    /// Decodes one line; see `LineRecordDecoder`.
    public mutating func decode(
        line: UnsafeRawBufferPointer, at place: LinePlace, emit: (LineOutput) throws -> Void
    ) rethrows {
        if let start = Self.find("ACC: ", in: line, from: 0) {
            try transaction(line, from: start, at: place, emit: emit)
        } else if let start = Self.find("start_time=", in: line, from: 0),
            start == 0 || line[start - 1] == UInt8(ascii: " ")
        {
            let attributes = KamailioAccAttributes(line, from: start)
            let decoded: DecodedRecord
            do {
                decoded = .record(try dialogCall(attributes))
            } catch {
                decoded = .rejected(error.reason)
            }
            try emit(LineOutput(decoded, raw: line, from: place, resumeAt: unfinishedLine))
        }
    }

    private mutating func transaction(
        _ line: UnsafeRawBufferPointer, from start: Int, at place: LinePlace, emit: (LineOutput) throws -> Void
    ) rethrows {
        let attributes: KamailioAccAttributes
        let time: Int64
        let event: UnsafeRawBufferPointer
        do throws(FieldRefusal) {
            guard let attributesStart = Self.find("timestamp=", in: line, from: start) else {
                throw FieldRefusal("an acc line without timestamp=")
            }
            attributes = KamailioAccAttributes(line, from: attributesStart)
            event = UnsafeRawBufferPointer(rebasing: line[start..<attributesStart])
            time = try Self.microseconds(attributes.value("timestamp"), "timestamp")
        } catch {
            try emit(LineOutput(.rejected(error.reason), raw: line, from: place, resumeAt: unfinishedLine))
            return
        }
        try expire(before: time - Int64(FieldValue.maxDurationSeconds) * 1_000_000, emit: emit)
        let step: Step
        do {
            let unanswered =
                Self.find("missed", in: event, from: 0) != nil || Self.find("failed", in: event, from: 0) != nil
            step = try self.step(attributes, time: time, unanswered: unanswered)
        } catch {
            try emit(LineOutput(.rejected(error.reason), raw: line, from: place, resumeAt: unfinishedLine))
            return
        }
        switch step {
        case .skip: break
        case .call(let call): try emit(LineOutput(.record(call), raw: line, from: place, resumeAt: unfinishedLine))
        case .answered(let call):
            let callID = call.recordKey!
            guard waiting[callID] == nil else { return }  // a re-INVITE within a call that already waits
            waiting[callID] = WaitingInvite(place: place, line: Array(line), call: call)
            order.append((callID, place.offset))
        case .bye(let callID, let end):
            guard let invite = waiting.removeValue(forKey: callID) else {
                let reason = "BYE for call_id \(callID) with no answered INVITE before it"
                try emit(LineOutput(.rejected(reason), raw: line, from: place, resumeAt: unfinishedLine))
                return
            }
            tidy()
            var call = invite.call
            call.endTime = end
            call.durationSeconds = FieldValue.secondsBetween(call.startTime, end)
            call.billableSeconds = call.durationSeconds
            var decoded = DecodedRecord.record(call)
            do {
                try FieldValue.checkTimes(
                    start: call.startTime, answer: call.answerTime, end: end, duration: call.durationSeconds,
                    billable: call.billableSeconds)
            } catch {
                decoded = .rejected("BYE for call_id \(callID): \(error.reason)")
            }
            pair = invite.line + [UInt8(ascii: "\n")] + Array(line)
            let resume = unfinishedLine
            try pair.withUnsafeBytes { raw in
                try emit(LineOutput(decoded, raw: raw, from: invite.place, resumeAt: resume))
            }
        }
    }

    /// Refuses, earliest first, the INVITEs that wait since before `limit` (7 days before the
    /// current line's time).
    private mutating func expire(before limit: Int64, emit: (LineOutput) throws -> Void) rethrows {
        while head < order.count, let invite = waiting[order[head].callID], invite.call.startTime < limit {
            let callID = order[head].callID
            waiting[callID] = nil
            tidy()
            let reason = "answered INVITE with call_id \(callID) has no BYE within 7 days"
            let resume = unfinishedLine
            try invite.line.withUnsafeBytes { raw in
                try emit(LineOutput(.rejected(reason), raw: raw, from: invite.place, resumeAt: resume))
            }
        }
    }

    /// Moves `head` past INVITEs no longer waiting, and drops spent entries now and then.
    private mutating func tidy() {
        while head < order.count, waiting[order[head].callID]?.place.offset != order[head].offset { head += 1 }
        if head > 1024, head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }

    private func step(_ attributes: KamailioAccAttributes, time: Int64, unanswered: Bool) throws(FieldRefusal)
        -> Step
    {
        let method = attributes.value("method").map { String(decoding: $0, as: UTF8.self) }
        switch method {
        case "INVITE":
            guard let codeBytes = attributes.value("code"), let code = FieldValue.digits(codeBytes),
                (100...699).contains(code)
            else {
                let shown = attributes.value("code").map(FieldValue.shown) ?? ""
                throw FieldRefusal("code '\(shown)' is not a SIP status code")
            }
            guard code >= 200 else { throw FieldRefusal("code \(code) is not a final response") }
            let answered = code < 300 && !unanswered
            let call = CallRecord(
                startTime: time, answerTime: answered ? time : nil, endTime: time, durationSeconds: 0,
                billableSeconds: 0, source: try party(attributes, caller: true),
                destination: try party(attributes, caller: false), sourceIP: try Self.sourceIP(attributes),
                callType: .voice, disposition: answered ? .answered : Self.disposition(code: code),
                recordKey: try Self.text(attributes, "call_id"))
            return answered ? .answered(call) : .call(call)
        case "BYE":
            return .bye(callID: try Self.text(attributes, "call_id"), time: time)
        default:
            return .skip
        }
    }

    /// A dialog CDR line (`cdr_enable`): one call, answered when its duration is above 0.
    private func dialogCall(_ attributes: KamailioAccAttributes) throws(FieldRefusal) -> CallRecord {
        let start = try Self.microseconds(attributes.value("start_time"), "start_time")
        let end = try Self.microseconds(attributes.value("end_time"), "end_time")
        let duration = try attributes.value("duration").map { raw throws(FieldRefusal) in
            try Self.microseconds(raw, "duration")
        }
        let answered = (duration ?? end - start) > 0
        let seconds = answered ? FieldValue.secondsBetween(start, end) : 0
        try FieldValue.checkTimes(
            start: start, answer: answered ? start : nil, end: end, duration: seconds, billable: seconds)
        return CallRecord(
            startTime: start, answerTime: answered ? start : nil, endTime: end, durationSeconds: seconds,
            billableSeconds: seconds, source: try party(attributes, caller: true),
            destination: try party(attributes, caller: false), sourceIP: try Self.sourceIP(attributes),
            callType: .voice, disposition: answered ? .answered : .noAnswer,
            recordKey: try attributes.value("call_id").flatMap { raw throws(FieldRefusal) in
                try FieldValue.optionalText(raw, "call_id")
            })
    }

    /// The caller (`src_user`, else `calling`) or the callee (`dst_user`, else `called`, else the
    /// user part of the request URI `uri`), normalised.
    private func party(_ attributes: KamailioAccAttributes, caller: Bool) throws(FieldRefusal) -> String {
        let found =
            caller ? attributes.firstValue("src_user", "calling") : attributes.firstValue("dst_user", "called", "uri")
        guard let (name, bytes) = found else {
            throw FieldRefusal(caller ? "no caller (src_user or calling)" : "no callee (dst_user, called or uri)")
        }
        let raw = name.description == "uri" ? Self.userPart(ofURI: bytes) : bytes
        if let e164 = normaliser.e164(raw) { return e164 }
        return normaliser.normalise(try FieldValue.text(raw, name.description))
    }

    /// `sip:alice@example.com;transport=udp` → `alice`; a URI without a user part as it is.
    private static func userPart(ofURI uri: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard let colon = uri.firstIndex(of: UInt8(ascii: ":")), let at = uri.firstIndex(of: UInt8(ascii: "@")),
            colon < at
        else { return uri }
        return UnsafeRawBufferPointer(rebasing: uri[(colon + 1)..<at])
    }

    private static func sourceIP(_ attributes: KamailioAccAttributes) throws(FieldRefusal) -> IPAddress? {
        guard let (_, raw) = attributes.firstValue("src_ip") else { return nil }
        let text = try FieldValue.text(raw, "src_ip")
        guard let address = IPAddress(text) else {
            throw FieldRefusal("src_ip '\(text.prefix(40))' is not an IPv4 or IPv6 address")
        }
        return address
    }

    private static func text(_ attributes: KamailioAccAttributes, _ key: StaticString) throws(FieldRefusal) -> String {
        guard let (_, raw) = attributes.firstValue(key) else { throw FieldRefusal("no \(key)") }
        return try FieldValue.text(raw, key.description)
    }

    /// Seconds since the epoch, with up to 6 decimals (`1791720207` or `1791720207.250000`), as µs.
    private static func microseconds(_ raw: UnsafeRawBufferPointer?, _ name: String) throws(FieldRefusal) -> Int64 {
        guard let raw, !raw.isEmpty else { throw FieldRefusal("no \(name)") }
        let dot = raw.firstIndex(of: UInt8(ascii: ".")) ?? raw.count
        let fraction = raw.count > dot ? UnsafeRawBufferPointer(rebasing: raw[(dot + 1)...]) : nil
        guard let seconds = FieldValue.digits(UnsafeRawBufferPointer(rebasing: raw[..<dot])), seconds < 1 << 40,
            fraction.map({ (1...6).contains($0.count) }) ?? true,
            let micros = fraction.map({ FieldValue.digits($0) }) ?? 0
        else { throw FieldRefusal("\(name) '\(FieldValue.shown(raw))' is not seconds since the epoch") }
        var scale: Int64 = 1
        for _ in (fraction?.count ?? 6)..<6 { scale *= 10 }
        return seconds * 1_000_000 + micros * scale
    }

    /// The disposition of an unanswered INVITE: 486 and 600 → busy, 487 → cancelled, 408, 480 (and a
    /// 2xx on a `missed` line) → no answer, others → failed.
    private static func disposition(code: Int64) -> Disposition {
        switch code {
        case 486, 600: return .busy
        case 487: return .cancelled
        case 408, 480, 200..<300: return .noAnswer
        default: return .failed
        }
    }

    private static func find(_ needle: StaticString, in line: UnsafeRawBufferPointer, from start: Int) -> Int? {
        let pattern = UnsafeRawBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard line.count >= pattern.count else { return nil }
        var index = start
        while index <= line.count - pattern.count {
            if line[index] == pattern[0], line[index..<index + pattern.count].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }
}
