/// One call as cdrstore stores it: normalised parties, UTC times, and what kind of call it was.
public struct CallRecord: Sendable, Equatable {
    /// When the call started (set-up began), microseconds since the Unix epoch, UTC.
    public var startTime: Int64
    /// When it was answered, or nil when it never was.
    public var answerTime: Int64?
    /// When it ended.
    public var endTime: Int64
    /// Seconds from start to end.
    public var durationSeconds: Int32
    /// Seconds from answer to end: what a tariff charges.
    public var billableSeconds: Int32
    /// The calling party: E.164 (`+46701234567`) when certain, else as the feed wrote it.
    public var source: String
    /// The called party, normalised like `source`.
    public var destination: String
    /// The caller's IP address, when the feed knows it.
    public var sourceIP: IPAddress?
    /// Voice, video, fax, ...
    public var callType: CallType
    /// How the call ended.
    public var disposition: Disposition
    /// The device or channel that carried the call (`SIP/alice`, a user agent).
    public var equipment: String?
    /// The billing account, when the feed names one.
    public var account: String?
    /// The feed's own identifier for the record (Asterisk `uniqueid`), when it has one.
    public var recordKey: String?
    /// The record key of the call this one is a leg of (a FreeSWITCH b-leg names its a-leg), if any.
    public var linkedKey: String?

    /// Creates a record.
    public init(
        startTime: Int64, answerTime: Int64?, endTime: Int64, durationSeconds: Int32, billableSeconds: Int32,
        source: String, destination: String, sourceIP: IPAddress? = nil, callType: CallType,
        disposition: Disposition, equipment: String? = nil, account: String? = nil, recordKey: String? = nil,
        linkedKey: String? = nil
    ) {
        self.startTime = startTime
        self.answerTime = answerTime
        self.endTime = endTime
        self.durationSeconds = durationSeconds
        self.billableSeconds = billableSeconds
        self.source = source
        self.destination = destination
        self.sourceIP = sourceIP
        self.callType = callType
        self.disposition = disposition
        self.equipment = equipment
        self.account = account
        self.recordKey = recordKey
        self.linkedKey = linkedKey
    }
}

/// The kind of communication a record describes.
public enum CallType: String, Sendable, CaseIterable {
    /// A voice call.
    case voice
    /// A video call.
    case video
    /// A fax transmission.
    case fax
}

/// How a call ended, as stored in `cdr.call.disposition`.
public enum Disposition: String, Sendable, CaseIterable {
    /// Answered and connected.
    case answered
    /// Rang out without an answer.
    case noAnswer = "no_answer"
    /// The called party was busy.
    case busy
    /// Failed for another reason.
    case failed
    /// The network was congested.
    case congestion
    /// The caller hung up before an answer.
    case cancelled
}
