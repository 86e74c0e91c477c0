import CDRModel

/// Writes generated calls as Asterisk `cdr_csv` lines with `loguniqueid` and `loguserfield`
/// (18 columns), times as wall-clock times in the feed's zone, numbers in national format.
public struct AsteriskCSVWriter {
    private let clock: ZoneClock

    /// Creates a writer for a feed whose clock runs in `clock`'s zone.
    public init(clock: ZoneClock) { self.clock = clock }

    /// The line (with its newline) for one call.
    public func line(for call: TrafficGenerator.Call) -> String {
        let answered = call.disposition == .answered
        let start = clock.civilTime(unixSeconds: call.start).text
        let answer =
            answered ? "\"" + clock.civilTime(unixSeconds: call.start + Int64(call.ringSeconds)).text + "\"" : ""
        let end = clock.civilTime(unixSeconds: call.start + Int64(call.duration)).text
        let caller = "0\(call.callerNumber)"
        let called = call.calledAbroad ? "00\(call.calledNumber)" : "0\(call.calledNumber)"
        let account = accountNumberText(call.account)
        let channel = "SIP/acct\(account)-" + hex8(call.serial)
        let fields: [String] = [
            quoted("acct\(account)"), quoted(caller), quoted(called), quoted("from-internal"),
            quoted("\"\"Caller \(call.account)\"\" <\(caller)>"), quoted(channel),
            quoted(answered ? "SIP/trunk-" + hex8(call.serial &* 7) : ""),
            quoted(call.callType == .fax ? "ReceiveFAX" : "Dial"), quoted("SIP/trunk/\(called),60"),
            quoted(start), answer, quoted(end), String(call.duration), String(call.billable),
            quoted(Self.asteriskDisposition(call.disposition)), quoted("DOCUMENTATION"),
            quoted("\(call.start).\(call.serial)"), quoted(""),
        ]
        return fields.joined(separator: ",") + "\n"
    }

    private func quoted(_ text: String) -> String { "\"" + text + "\"" }

    private func hex8(_ value: Int) -> String {
        let digits = String(UInt32(truncatingIfNeeded: value), radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// Asterisk's spelling of a disposition.
    static func asteriskDisposition(_ disposition: Disposition) -> String {
        switch disposition {
        case .answered: return "ANSWERED"
        case .noAnswer: return "NO ANSWER"
        case .busy: return "BUSY"
        case .failed: return "FAILED"
        case .congestion: return "CONGESTION"
        case .cancelled: return "CANCEL"
        }
    }
}

/// A number padded with zeros to 4 digits (`0042`).
func accountNumberText(_ value: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}
