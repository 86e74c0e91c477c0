import CDRModel

/// Decodes Kamailio acc module syslog lines (`--format kamailio-acc`) into one call per `call_id`.
///
/// Kamailio may log a call as transaction lines (`ACC: transaction answered: timestamp=…;
/// method=INVITE;…;call_id=…;code=…`, a `call missed` or `transaction failed` line for an
/// unanswered INVITE, often followed by a `transaction answered` line of the same INVITE, and a BYE),
/// as a dialog CDR line (`start_time=…; end_time=…; duration=…`, with the `cdr_extra` keys), or as
/// both. The lines of one `call_id` are gathered and merged (see `KamailioAccCall`): a call is
/// complete when its INVITE's final response and its CDR line are both in; otherwise it is stored
/// `waitSeconds` (log time) after its last line, or at the end of the input once that much wall-clock
/// time has passed, and an answered INVITE waits for its BYE or CDR line up to 7 days. Lines of a
/// call that arrive within `waitSeconds` after it was stored (a failed INVITE's second line, a
/// retransmission) are part of it and dropped. Other methods and non-acc lines are skipped.
///
/// While any call is gathered, `unfinishedLine` names the earliest one's first line, and every
/// output resumes there, so that a restart reads it again.
public struct KamailioAccDecoder: LineRecordDecoder {
    /// How long a call waits for its other half, in seconds of log time.
    public static let waitSeconds = 10
    private static let wait = Int64(waitSeconds) * 1_000_000
    private static let maxCall = Int64(FieldValue.maxDurationSeconds) * 1_000_000

    private let normaliser: NumberNormaliser
    private let keys: KamailioAccKeys
    private let endOfInputTime: Int64
    /// Calls being gathered, by call id.
    private var calls: [String: KamailioAccCall] = [:]
    /// Call ids in the order their first lines were read (for `unfinishedLine` and the 7-day limit);
    /// entries before `head`, and those whose call is gone, are spent.
    private var order: [(callID: String, offset: Int64)] = []
    private var head = 0
    /// When each gathered call is due (log time µs), in the order set; stale entries are skipped.
    private var due: [(time: Int64, callID: String, offset: Int64)] = []
    private var dueHead = 0
    private var dueAt: [String: Int64] = [:]
    /// Calls stored in the last `waitSeconds`: their late lines are dropped.
    private var stored: [String: Int64] = [:]
    private var storedOrder: [(callID: String, time: Int64)] = []
    private var storedHead = 0
    /// The latest time read from a line (µs).
    private var logClock = Int64.min

    /// Creates a decoder; `endOfInputTime` is the wall clock (µs since the epoch) when the end of
    /// the input is read (`.max`: the input is complete, every call not in progress is stored).
    public init(normaliser: NumberNormaliser, keys: KamailioAccKeys = .defaults, endOfInputTime: Int64) {
        self.normaliser = normaliser
        self.keys = keys
        self.endOfInputTime = endOfInputTime
    }

    /// What one line says about its call.
    private enum Fact {
        case skip
        case invite(callID: String, KamailioAccCall.Invite)
        case bye(callID: String, time: Int64)
        case dialog(callID: String?, KamailioAccCall.DialogRecord)
    }

    /// The earliest first line of a call still being gathered.
    public var unfinishedLine: LinePlace? {
        head < order.count ? calls[order[head].callID]?.first : nil
    }

    /// Decodes one line; see `LineRecordDecoder`.
    public mutating func decode(
        line: UnsafeRawBufferPointer, at place: LinePlace, emit: (LineOutput) throws -> Void
    ) rethrows {
        let fact: Fact
        do {
            fact = try self.fact(of: line)
        } catch {
            try emit(LineOutput(.rejected(error.reason), raw: line, from: place, resumeAt: unfinishedLine))
            return
        }
        switch fact {
        case .skip:
            return
        case .invite(let callID, let invite):
            advanceClock(to: invite.time)
            try settle(emit: emit)
            try gather(callID, line, at: place, emit: emit) { call in
                // A re-INVITE or a failed INVITE's second line adds nothing; the first answer counts.
                guard let known = call.invite, known.answered || !invite.answered else {
                    call.invite = invite
                    return
                }
                if known.answered, invite.answered, invite.time < known.time { call.invite = invite }
            }
        case .bye(let callID, let time):
            advanceClock(to: time)
            try settle(emit: emit)
            try gather(callID, line, at: place, emit: emit) { call in
                if call.byeTime == nil { call.byeTime = time }
            }
        case .dialog(let callID, let dialog):
            advanceClock(to: dialog.end)
            try settle(emit: emit)
            guard let callID else {
                // No call id to merge by: the line is a call of its own.
                var call = KamailioAccCall(first: place, line: line)
                call.dialog = dialog
                try store(call, callID: nil, emit: emit)
                return
            }
            try gather(callID, line, at: place, emit: emit) { call in
                if call.dialog == nil { call.dialog = dialog }
            }
        }
    }

    /// Stores the calls whose wait is over by the wall clock; see `LineRecordDecoder`.
    public mutating func endOfInput(emit: (LineOutput) throws -> Void) rethrows {
        try settle(until: endOfInputTime, emit: emit)
    }

    /// Adds a line to its call (a new one unless it is being gathered), then stores the call if it
    /// is complete or plans when it is due.
    private mutating func gather(
        _ callID: String, _ line: UnsafeRawBufferPointer, at place: LinePlace, emit: (LineOutput) throws -> Void,
        update: (inout KamailioAccCall) -> Void
    ) rethrows {
        if calls[callID] == nil, stored[callID] != nil { return }  // a late line of a call just stored
        var call = calls[callID] ?? KamailioAccCall(first: place, line: line)
        if calls[callID] == nil {
            order.append((callID, place.offset))
        } else {
            call.append(line)
        }
        update(&call)
        if call.isComplete {
            calls[callID] = nil
            dueAt[callID] = nil
            tidy()
            try store(call, callID: callID, emit: emit)
            return
        }
        calls[callID] = call
        let time = logClock + Self.wait
        dueAt[callID] = time
        due.append((time, callID, call.first.offset))
    }

    /// Stores, in the order planned, every call due by `limit` (log time unless given) that is not
    /// in progress, and refuses answered INVITEs that waited more than 7 days.
    private mutating func settle(until limit: Int64? = nil, emit: (LineOutput) throws -> Void) rethrows {
        let limit = limit ?? logClock
        while dueHead < due.count, due[dueHead].time <= limit {
            let entry = due[dueHead]
            dueHead += 1
            guard dueAt[entry.callID] == entry.time, let call = calls[entry.callID], call.first.offset == entry.offset,
                !call.isInProgress
            else { continue }
            calls[entry.callID] = nil
            dueAt[entry.callID] = nil
            tidy()
            try store(call, callID: entry.callID, emit: emit)
        }
        if dueHead > 1024, dueHead * 2 > due.count {
            due.removeFirst(dueHead)
            dueHead = 0
        }
        while head < order.count, let call = calls[order[head].callID], call.isInProgress,
            let invite = call.invite, invite.time < logClock - Self.maxCall
        {
            let callID = order[head].callID
            calls[callID] = nil
            dueAt[callID] = nil
            tidy()
            let reason = "answered INVITE with call_id \(callID) has neither a BYE nor a dialog CDR line within 7 days"
            let resume = unfinishedLine
            try call.raw.withUnsafeBytes { raw in
                try emit(LineOutput(.rejected(reason), raw: raw, from: call.first, resumeAt: resume))
            }
        }
    }

    /// Emits the call the lines make (or their refusal) and remembers it for `waitSeconds`.
    private mutating func store(_ call: KamailioAccCall, callID: String?, emit: (LineOutput) throws -> Void) rethrows {
        let decoded: DecodedRecord
        do {
            decoded = .record(try call.record(callID: callID, waitSeconds: Self.waitSeconds, keys: keys))
        } catch {
            decoded = .rejected(error.reason)
        }
        if let callID {
            stored[callID] = logClock
            storedOrder.append((callID, logClock))
        }
        while storedHead < storedOrder.count, storedOrder[storedHead].time < logClock - Self.wait {
            let old = storedOrder[storedHead]
            if stored[old.callID] == old.time { stored[old.callID] = nil }
            storedHead += 1
        }
        if storedHead > 1024, storedHead * 2 > storedOrder.count {
            storedOrder.removeFirst(storedHead)
            storedHead = 0
        }
        let resume = unfinishedLine
        try call.raw.withUnsafeBytes { raw in
            try emit(LineOutput(decoded, raw: raw, from: call.first, resumeAt: resume))
        }
    }

    private mutating func advanceClock(to time: Int64) { logClock = max(logClock, time) }

    /// Moves `head` past calls no longer gathered, and drops spent entries now and then.
    private mutating func tidy() {
        while head < order.count, calls[order[head].callID]?.first.offset != order[head].offset { head += 1 }
        if head > 1024, head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }

    /// Reads what a line says: a transaction line, a dialog CDR line, or neither.
    private func fact(of line: UnsafeRawBufferPointer) throws(FieldRefusal) -> Fact {
        if let start = Self.find("ACC: ", in: line, from: 0) {
            guard let attributesStart = Self.find("timestamp=", in: line, from: start) else {
                throw FieldRefusal("an acc line without timestamp=")
            }
            let attributes = KamailioAccAttributes(line, from: attributesStart)
            let event = UnsafeRawBufferPointer(rebasing: line[start..<attributesStart])
            let time = try Self.microseconds(attributes.value("timestamp"), "timestamp")
            switch attributes.value("method").map({ String(decoding: $0, as: UTF8.self) }) {
            case "INVITE":
                guard let codeBytes = attributes.value("code"), let code = FieldValue.digits(codeBytes),
                    (100...699).contains(code)
                else {
                    let shown = attributes.value("code").map(FieldValue.shown) ?? ""
                    throw FieldRefusal("code '\(shown)' is not a SIP status code")
                }
                guard code >= 200 else { throw FieldRefusal("code \(code) is not a final response") }
                let unanswered =
                    Self.find("missed", in: event, from: 0) != nil
                    || Self.find("failed", in: event, from: 0) != nil
                let invite = KamailioAccCall.Invite(
                    time: time, code: code, answered: code < 300 && !unanswered,
                    parties: try parties(attributes, .caller, .callee, .sourceIP, .account))
                return .invite(callID: try Self.text(attributes, "call_id"), invite)
            case "BYE":
                return .bye(callID: try Self.text(attributes, "call_id"), time: time)
            default:
                return .skip
            }
        }
        guard let start = Self.find("start_time=", in: line, from: 0),
            start == 0 || line[start - 1] == UInt8(ascii: " ")
        else { return .skip }
        let attributes = KamailioAccAttributes(line, from: start)
        let begin = try Self.microseconds(attributes.value("start_time"), "start_time")
        let end = try Self.microseconds(attributes.value("end_time"), "end_time")
        let duration = try attributes.value("duration").map { raw throws(FieldRefusal) in
            try Self.microseconds(raw, "duration")
        }
        let callID = try attributes.firstValue(keys[.cdrCallID]).map { key, raw throws(FieldRefusal) in
            try FieldValue.text(raw, key)
        }
        let dialog = KamailioAccCall.DialogRecord(
            start: begin, end: end, lasted: (duration ?? end - begin) > 0,
            parties: try parties(attributes, .cdrCaller, .cdrCallee, .cdrSourceIP, .cdrAccount))
        return .dialog(callID: callID, dialog)
    }

    /// The parties, source IP and account a line names under the configured keys.
    private func parties(
        _ attributes: KamailioAccAttributes, _ caller: KamailioAccKeys.Role, _ callee: KamailioAccKeys.Role,
        _ sourceIP: KamailioAccKeys.Role, _ account: KamailioAccKeys.Role
    ) throws(FieldRefusal) -> KamailioAccParties {
        KamailioAccParties(
            source: try party(attributes.firstValue(keys[caller])),
            destination: try party(attributes.firstValue(keys[callee])),
            sourceIP: try attributes.firstValue(keys[sourceIP]).map { key, raw throws(FieldRefusal) in
                let text = try FieldValue.text(raw, key)
                guard let address = IPAddress(text) else {
                    throw FieldRefusal("\(key) '\(text.prefix(40))' is not an IPv4 or IPv6 address")
                }
                return address
            },
            account: try attributes.firstValue(keys[account]).map { key, raw throws(FieldRefusal) in
                try FieldValue.text(raw, key)
            })
    }

    /// A party's number or name, normalised; the user part of a SIP or tel URI.
    private func party(_ found: (name: String, bytes: UnsafeRawBufferPointer)?) throws(FieldRefusal) -> String? {
        guard let (name, bytes) = found else { return nil }
        let raw = Self.userPart(ofURI: bytes)
        if let e164 = normaliser.e164(raw) { return e164 }
        return normaliser.normalise(try FieldValue.text(raw, name))
    }

    /// `sip:alice@example.com;transport=udp` → `alice`; anything else as it is.
    private static func userPart(ofURI uri: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard let colon = uri.firstIndex(of: UInt8(ascii: ":")), let at = uri.firstIndex(of: UInt8(ascii: "@")),
            colon < at
        else { return uri }
        let scheme = String(decoding: uri[..<colon], as: UTF8.self).lowercased()
        guard scheme == "sip" || scheme == "sips" || scheme == "tel" else { return uri }
        return UnsafeRawBufferPointer(rebasing: uri[(colon + 1)..<at])
    }

    private static func text(_ attributes: KamailioAccAttributes, _ key: String) throws(FieldRefusal) -> String {
        guard let (_, raw) = attributes.firstValue([key]) else { throw FieldRefusal("no \(key)") }
        return try FieldValue.text(raw, key)
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
