import Handover
import Testing

/// The XML text of a retained-data response, compared byte for byte with documents written by hand.
struct ETSIRetainedDataDocumentTests {
    @Test("Three calls give this exact document")
    func threeCalls() {
        let expected = """
            <?xml version="1.0" encoding="UTF-8"?>
            <retainedDataMessage xmlns="http://uri.etsi.org/02657/v1.28.1#/RetainedData">
              <retainedDataHeader>
                <requestID>
                  <countryCode>SE</countryCode>
                  <authorisedOrganisationID>Polismyndigheten Å&amp;Ö</authorisedOrganisationID>
                  <requestNumber>2026-000123</requestNumber>
                </requestID>
                <cSPID>Exempel Tele AB</cSPID>
                <timeStamp>20261129101500Z</timeStamp>
              </retainedDataHeader>
              <retainedDataPayload>
                <responsePayload>
                  <responseStatus>
                    <responseComplete/>
                  </responseStatus>
                  <numberOfRecords>3</numberOfRecords>
                  <responseRecords>
                    <responseRecord>
                      <recordNumber>1</recordNumber>
                      <recordPayload>
                        <telephonyRecord>
                          <telephonyServiceUsage>
                            <partyInformation>
                              <partyType>originating</partyType>
                              <partyNumber>+46701234567</partyNumber>
                              <communicationTime>
                                <startTime>20260315143000Z</startTime>
                                <endTime>20260315143512Z</endTime>
                                <durationTime>312</durationTime>
                              </communicationTime>
                              <iPAddress>192.0.2.10</iPAddress>
                              <equipmentID>Yealink SIP-T46S</equipmentID>
                            </partyInformation>
                            <partyInformation>
                              <partyType>terminating</partyType>
                              <partyNumber>+4687654321</partyNumber>
                              <communicationTime>
                                <startTime>20260315143000Z</startTime>
                                <endTime>20260315143512Z</endTime>
                                <durationTime>312</durationTime>
                              </communicationTime>
                            </partyInformation>
                            <communicationType>voice</communicationType>
                            <callStatus>answered</callStatus>
                            <answerTime>20260315143005Z</answerTime>
                          </telephonyServiceUsage>
                        </telephonyRecord>
                      </recordPayload>
                    </responseRecord>
                    <responseRecord>
                      <recordNumber>2</recordNumber>
                      <recordPayload>
                        <telephonyRecord>
                          <telephonyServiceUsage>
                            <partyInformation>
                              <partyType>originating</partyType>
                              <partyNumber>+46701234567</partyNumber>
                              <communicationTime>
                                <startTime>20260316090000.25Z</startTime>
                                <endTime>20260316090030.25Z</endTime>
                                <durationTime>30</durationTime>
                              </communicationTime>
                            </partyInformation>
                            <partyInformation>
                              <partyType>terminating</partyType>
                              <sipURI>sip:bob@example.com</sipURI>
                              <communicationTime>
                                <startTime>20260316090000.25Z</startTime>
                                <endTime>20260316090030.25Z</endTime>
                                <durationTime>30</durationTime>
                              </communicationTime>
                            </partyInformation>
                            <communicationType>video</communicationType>
                            <callStatus>no_answer</callStatus>
                          </telephonyServiceUsage>
                        </telephonyRecord>
                      </recordPayload>
                    </responseRecord>
                    <responseRecord>
                      <recordNumber>3</recordNumber>
                      <recordPayload>
                        <telephonyRecord>
                          <telephonyServiceUsage>
                            <partyInformation>
                              <partyType>originating</partyType>
                              <partyNumber>1001</partyNumber>
                              <communicationTime>
                                <startTime>20260317235959.123456Z</startTime>
                                <endTime>20260318000100Z</endTime>
                                <durationTime>61</durationTime>
                              </communicationTime>
                              <iPAddress>2001:db8::5</iPAddress>
                              <equipmentID>Fax &lt;&amp;&quot;&apos;&gt; v2\u{FFFD}beta</equipmentID>
                            </partyInformation>
                            <partyInformation>
                              <partyType>terminating</partyType>
                              <partyNumber>+4687654321</partyNumber>
                              <communicationTime>
                                <startTime>20260317235959.123456Z</startTime>
                                <endTime>20260318000100Z</endTime>
                                <durationTime>61</durationTime>
                              </communicationTime>
                            </partyInformation>
                            <communicationType>fax</communicationType>
                            <callStatus>answered</callStatus>
                            <answerTime>20260318000001.5Z</answerTime>
                          </telephonyServiceUsage>
                        </telephonyRecord>
                      </recordPayload>
                    </responseRecord>
                  </responseRecords>
                </responsePayload>
              </retainedDataPayload>
            </retainedDataMessage>

            """
        #expect(HandoverFixtures.document().xml() == expected)
    }

    @Test("No calls give no records and an empty responseRecords")
    func noCalls() {
        let expected = """
            <?xml version="1.0" encoding="UTF-8"?>
            <retainedDataMessage xmlns="http://uri.etsi.org/02657/v1.28.1#/RetainedData">
              <retainedDataHeader>
                <requestID>
                  <countryCode>SE</countryCode>
                  <authorisedOrganisationID>Polismyndigheten Å&amp;Ö</authorisedOrganisationID>
                  <requestNumber>2026-000123</requestNumber>
                </requestID>
                <cSPID>Exempel Tele AB</cSPID>
                <timeStamp>20261129101500Z</timeStamp>
              </retainedDataHeader>
              <retainedDataPayload>
                <responsePayload>
                  <responseStatus>
                    <responseComplete/>
                  </responseStatus>
                  <numberOfRecords>0</numberOfRecords>
                  <responseRecords/>
                </responsePayload>
              </retainedDataPayload>
            </retainedDataMessage>

            """
        #expect(HandoverFixtures.document(calls: []).xml() == expected)
    }

    @Test(
        "A party is a SIP URI only when its scheme, in any case, is sip or sips",
        arguments: [
            ("sips:carol@example.com", "<sipURI>sips:carol@example.com</sipURI>"),
            ("SIP:Carol@Example.com", "<sipURI>SIP:Carol@Example.com</sipURI>"),
            ("sipgate", "<partyNumber>sipgate</partyNumber>"),
            ("anonymous", "<partyNumber>anonymous</partyNumber>"),
            ("tel:+46701234567", "<partyNumber>tel:+46701234567</partyNumber>"),
        ])
    func partyAddress(destination: String, element: String) {
        var call = HandoverFixtures.answeredCall
        call.destination = destination
        let lines = HandoverFixtures.document(calls: [call]).xml().split(separator: "\n")
        let afterTerminating = lines.drop { !$0.hasSuffix("<partyType>terminating</partyType>") }.dropFirst()
        #expect(afterTerminating.first?.drop { $0 == " " } == element[...])
    }

    @Test("A time not in the store's form is written as given, escaped")
    func malformedTime() {
        var call = HandoverFixtures.answeredCall
        call.answerTime = "15/03/2026 14:30 <local>"
        let document = HandoverFixtures.document(calls: [call]).xml()
        #expect(document.contains("<answerTime>15/03/2026 14:30 &lt;local&gt;</answerTime>\n"))
    }
}
