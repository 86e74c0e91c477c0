/// One call as a lawful lookup or a subject export hands it over. Times are the store's own
/// ISO 8601 UTC text with microseconds (`2026-03-15T14:30:00.000000Z`).
public struct DisclosedCall: Sendable, Equatable {
    /// Its position in the result, from 1.
    public var recordNumber: Int
    /// When the call started.
    public var startTime: String
    /// When it was answered, if it was.
    public var answerTime: String?
    /// When it ended.
    public var endTime: String
    /// Seconds from start to end.
    public var durationSeconds: Int
    /// The calling party (E.164 number, SIP URI or extension, normalised like ingest).
    public var source: String
    /// The called party.
    public var destination: String
    /// The calling side's IP address, if the feed gave it.
    public var sourceIP: String?
    /// `voice`, `video` or `fax`.
    public var callType: String
    /// `answered`, `no_answer`, `busy`, `failed`, `congestion` or `cancelled`.
    public var disposition: String
    /// The calling equipment (user agent or device), if known.
    public var equipment: String?
    /// The billing account, if known.
    public var account: String?
    /// The feed that delivered it.
    public var feed: String
    /// The feed's own identifier of the record (uniqueid, uuid, call id), if any.
    public var recordKey: String?
    /// `live` (in the daily partitions) or `preserved` (kept past the ceiling by a hold).
    public var stored: String

    /// Creates a disclosed call.
    public init(
        recordNumber: Int, startTime: String, answerTime: String?, endTime: String, durationSeconds: Int,
        source: String, destination: String, sourceIP: String?, callType: String, disposition: String,
        equipment: String?, account: String?, feed: String, recordKey: String?, stored: String
    ) {
        self.recordNumber = recordNumber
        self.startTime = startTime
        self.answerTime = answerTime
        self.endTime = endTime
        self.durationSeconds = durationSeconds
        self.source = source
        self.destination = destination
        self.sourceIP = sourceIP
        self.callType = callType
        self.disposition = disposition
        self.equipment = equipment
        self.account = account
        self.feed = feed
        self.recordKey = recordKey
        self.stored = stored
    }
}
