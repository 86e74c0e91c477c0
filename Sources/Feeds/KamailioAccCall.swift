import CDRModel

/// The parties, source IP and account one acc line names (each nil when the line has none).
struct KamailioAccParties {
    var source: String?
    var destination: String?
    var sourceIP: IPAddress?
    var account: String?
}

/// What the lines of one `call_id` said so far, and the call they make once merged.
///
/// The INVITE's final response gives the disposition and the parties (the caller's request), and
/// the times when no CDR line comes; the dialog CDR line gives the start (the answer) and end to
/// the millisecond (and ends an expired dialog); a BYE gives the end when no CDR line comes.
struct KamailioAccCall {
    /// An INVITE's final response line.
    struct Invite {
        /// When the response was logged (µs).
        var time: Int64
        var code: Int64
        var answered: Bool
        var parties: KamailioAccParties
    }

    /// A dialog CDR line.
    struct DialogRecord {
        var start: Int64
        var end: Int64
        /// True when the dialog lasted (duration above 0).
        var lasted: Bool
        var parties: KamailioAccParties
    }

    /// Where the call's first line is.
    let first: LinePlace
    /// The call's lines, in the order read, joined by `\n`.
    private(set) var raw: [UInt8]
    var invite: Invite?
    var byeTime: Int64?
    var dialog: DialogRecord?

    /// Starts a call at its first line.
    init(first: LinePlace, line: UnsafeRawBufferPointer) {
        self.first = first
        raw = Array(line)
    }

    /// Adds a later line's bytes.
    mutating func append(_ line: UnsafeRawBufferPointer) {
        raw.append(UInt8(ascii: "\n"))
        raw.append(contentsOf: line)
    }

    /// Both kinds of line are in: nothing more is needed.
    var isComplete: Bool { invite != nil && dialog != nil }

    /// An answered INVITE with neither BYE nor CDR line yet: the call has not ended.
    var isInProgress: Bool { invite?.answered == true && byeTime == nil && dialog == nil }

    /// The call the lines make, or why they make none.
    func record(callID: String?, waitSeconds: Int, keys: KamailioAccKeys) throws(FieldRefusal) -> CallRecord {
        let named = callID.map { "call_id \($0)" } ?? "a dialog CDR line without call id"
        let start: Int64
        let end: Int64
        let answer: Int64?
        if let dialog {
            start = dialog.start
            end = dialog.end
            // The dialog starts when it is confirmed: its start is the answer, to the millisecond
            // (the INVITE's line says only the second, and may be logged after the confirmation).
            let answered = invite?.answered ?? dialog.lasted
            answer = answered ? start : nil
        } else if let invite {
            start = invite.time
            end = invite.answered ? (byeTime ?? invite.time) : invite.time
            answer = invite.answered ? start : nil
        } else {
            throw FieldRefusal(
                "BYE for \(named) with neither an answered INVITE nor a dialog CDR line within \(waitSeconds) s")
        }
        let duration = FieldValue.secondsBetween(start, end)
        let billable = answer.map { FieldValue.secondsBetween($0, end) } ?? 0
        do {
            try FieldValue.checkTimes(start: start, answer: answer, end: end, duration: duration, billable: billable)
        } catch {
            throw FieldRefusal("\(named): \(error.reason)")
        }
        let parties = invite?.parties
        let cdr = dialog?.parties
        guard let source = parties?.source ?? cdr?.source else {
            throw FieldRefusal("\(named): no caller (\(Self.keysNamed(keys, .caller, .cdrCaller)))")
        }
        guard let destination = parties?.destination ?? cdr?.destination else {
            throw FieldRefusal("\(named): no callee (\(Self.keysNamed(keys, .callee, .cdrCallee)))")
        }
        let disposition: Disposition
        if answer != nil {
            disposition = .answered
        } else {
            disposition = invite.map { Self.disposition(code: $0.code) } ?? .noAnswer
        }
        return CallRecord(
            startTime: start, answerTime: answer, endTime: end, durationSeconds: duration, billableSeconds: billable,
            source: source, destination: destination, sourceIP: parties?.sourceIP ?? cdr?.sourceIP, callType: .voice,
            disposition: disposition, account: parties?.account ?? cdr?.account, recordKey: callID)
    }

    /// Says which keys were looked for, for a refusal's reason.
    static func keysNamed(_ keys: KamailioAccKeys, _ transaction: KamailioAccKeys.Role, _ cdr: KamailioAccKeys.Role)
        -> String
    {
        let names = { (role: KamailioAccKeys.Role) in
            keys[role].isEmpty ? "none" : keys[role].joined(separator: " or ")
        }
        return "transaction lines: \(names(transaction)); dialog CDR lines: \(names(cdr)); see --acc-keys"
    }

    /// The disposition of an unanswered INVITE: 486 and 600 → busy, 487 → cancelled, 408, 480 (and a
    /// 2xx on a `missed` line) → no answer, others → failed.
    static func disposition(code: Int64) -> Disposition {
        switch code {
        case 486, 600: return .busy
        case 487: return .cancelled
        case 408, 480, 200..<300: return .noAnswer
        default: return .failed
        }
    }
}
