import Handover
import Testing

/// The document as an XML parser sees it, independent of its exact text.
struct ETSIDocumentStructureTests {
    private static let recordPath =
        "retainedDataMessage/retainedDataPayload/responsePayload/responseRecords/responseRecord"
    private static let partyPath = recordPath + "/recordPayload/telephonyRecord/telephonyServiceUsage/partyInformation"

    @Test("The document is well-formed, in the RetainedData namespace, with one responseRecord per call")
    func wellFormed() throws {
        let recorder = ElementPathRecorder()
        try #require(recorder.parse(HandoverFixtures.document().xml()))
        #expect(recorder.paths.first == "retainedDataMessage")
        #expect(recorder.paths.filter { !$0.contains("/") } == ["retainedDataMessage"])
        #expect(Set(recorder.namespaces) == ["http://uri.etsi.org/02657/v1.28.1#/RetainedData"])
        #expect(recorder.paths.filter { $0 == Self.recordPath }.count == HandoverFixtures.calls.count)
        #expect(recorder.paths.contains(Self.partyPath + "/communicationTime/startTime"))
        #expect(recorder.texts[Self.recordPath + "/recordNumber"] == ["1", "2", "3"])
    }

    @Test("The parts of the request ID read back as given")
    func requestIDRoundTrips() throws {
        let recorder = ElementPathRecorder()
        try #require(recorder.parse(HandoverFixtures.document().xml()))
        let requestID = "retainedDataMessage/retainedDataHeader/requestID/"
        #expect(recorder.texts[requestID + "countryCode"] == ["SE"])
        #expect(recorder.texts[requestID + "authorisedOrganisationID"] == ["Polismyndigheten Å&Ö"])
        #expect(recorder.texts[requestID + "requestNumber"] == ["2026-000123"])
    }

    @Test("Special characters read back as given; a control character reads back as U+FFFD")
    func equipmentRoundTrips() throws {
        let recorder = ElementPathRecorder()
        try #require(recorder.parse(HandoverFixtures.document().xml()))
        #expect(
            recorder.texts[Self.partyPath + "/equipmentID"] == ["Yealink SIP-T46S", "Fax <&\"'> v2\u{FFFD}beta"])
    }

    @Test("A document without calls is well-formed and has no responseRecord")
    func withoutCalls() throws {
        let recorder = ElementPathRecorder()
        try #require(recorder.parse(HandoverFixtures.document(calls: []).xml()))
        #expect(!recorder.paths.contains(Self.recordPath))
        #expect(recorder.texts["retainedDataMessage/retainedDataPayload/responsePayload/numberOfRecords"] == ["0"])
    }
}
