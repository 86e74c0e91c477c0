import Handover

/// A request and three disclosed calls for the handover tests, written out in full.
enum HandoverFixtures {
    /// A request from an authority whose name needs escaping and is not ASCII.
    static let request = RequestIdentity(
        countryCode: "SE", authorisedOrganisationID: "Polismyndigheten Å&Ö", requestNumber: "2026-000123")

    /// An answered call between E.164 numbers with the caller's IP address and phone.
    static let answeredCall = DisclosedCall(
        recordNumber: 1, startTime: "2026-03-15T14:30:00.000000Z", answerTime: "2026-03-15T14:30:05.000000Z",
        endTime: "2026-03-15T14:35:12.000000Z", durationSeconds: 312, source: "+46701234567",
        destination: "+4687654321", sourceIP: "192.0.2.10", callType: "voice", disposition: "answered",
        equipment: "Yealink SIP-T46S", account: "acme", feed: "asterisk", recordKey: "1773585000.42", stored: "live")

    /// An unanswered video call to a SIP URI, at times with fractional seconds.
    static let unansweredSIPCall = DisclosedCall(
        recordNumber: 2, startTime: "2026-03-16T09:00:00.250000Z", answerTime: nil,
        endTime: "2026-03-16T09:00:30.250000Z", durationSeconds: 30, source: "+46701234567",
        destination: "sip:bob@example.com", sourceIP: nil, callType: "video", disposition: "no_answer",
        equipment: nil, account: nil, feed: "kamailio", recordKey: "c1d2@192.0.2.20", stored: "preserved")

    /// A fax from an extension whose equipment text holds XML's special characters and a BEL.
    static let awkwardEquipmentCall = DisclosedCall(
        recordNumber: 3, startTime: "2026-03-17T23:59:59.123456Z", answerTime: "2026-03-18T00:00:01.500000Z",
        endTime: "2026-03-18T00:01:00.000000Z", durationSeconds: 61, source: "1001", destination: "+4687654321",
        sourceIP: "2001:db8::5", callType: "fax", disposition: "answered", equipment: "Fax <&\"'> v2\u{7}beta",
        account: "acme", feed: "freeswitch", recordKey: nil, stored: "live")

    /// The three calls in record order.
    static let calls = [answeredCall, unansweredSIPCall, awkwardEquipmentCall]

    /// The response to `request` holding `calls`.
    static func document(calls: [DisclosedCall] = calls) -> ETSIRetainedDataDocument {
        ETSIRetainedDataDocument(
            request: request, cspID: "Exempel Tele AB", timeStamp: "2026-11-29T10:15:00.000000Z", calls: calls)
    }
}
