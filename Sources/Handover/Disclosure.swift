import CDRModel

/// What an audited lookup or subject export returned: its audit entry, the window searched and the calls.
public struct Disclosure: Sendable, Equatable {
    /// The audit entry the database wrote for it, in the same transaction.
    public var auditSequence: Int64
    /// The start of the window searched (ISO 8601 UTC), after clipping; nil for a subject export.
    public var windowFrom: String?
    /// The end of the window searched (exclusive).
    public var windowTo: String?
    /// True when the window asked for was wider than the request allows and was clipped.
    public var clipped: Bool
    /// The SHA-256 of the result set as the database computed it, in hexadecimal.
    public var resultSHA256: String
    /// The calls, oldest first.
    public var calls: [DisclosedCall]

    /// Creates a disclosure.
    public init(
        auditSequence: Int64, windowFrom: String?, windowTo: String?, clipped: Bool, resultSHA256: String,
        calls: [DisclosedCall]
    ) {
        self.auditSequence = auditSequence
        self.windowFrom = windowFrom
        self.windowTo = windowTo
        self.clipped = clipped
        self.resultSHA256 = resultSHA256
        self.calls = calls
    }

    /// The SHA-256 of `calls` recomputed here (hexadecimal); equals `resultSHA256` when the
    /// calls arrived as the database hashed them.
    public static func digest(of calls: [DisclosedCall]) -> String {
        let fields = calls.flatMap { call -> [String?] in
            [
                String(call.recordNumber), call.startTime, call.answerTime, call.endTime, String(call.durationSeconds),
                call.source, call.destination, call.sourceIP, call.callType, call.disposition, call.equipment,
                call.account, call.feed, call.recordKey, call.stored,
            ]
        }
        return SHA256Digest.hex(SHA256Digest.of(Netstring.encode(fields)))
    }
}
