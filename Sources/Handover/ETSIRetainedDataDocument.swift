/// An ETSI TS 102 657 retained-data response for one legal request, as XML text.
///
/// It follows TS 102 657's message wrapper and header (`RetainedDataMessage`, `RetainedDataHeader`
/// with `RequestID`, `cSPID` and `timeStamp`), a response payload delivered complete in one message
/// (`responseStatus` `responseComplete`), and one telephony service-usage record per call
/// (`telephonyRecord` / `telephonyServiceUsage` with a `partyInformation` for each party). The
/// document is the XML rendering of that ASN.1 with XER-style element names: each element is named
/// after its ASN.1 component, a CHOICE is written as the element of the alternative taken, NULL as
/// an empty element, and GeneralizedTime as its UTC text (`20260315143000Z`). The header's
/// `rdHeaderId` and the message's `retainedDataDigest` are not written.
public struct ETSIRetainedDataDocument: Sendable, Equatable {
    private static let namespace = "http://uri.etsi.org/02657/v1.28.1#/RetainedData"

    private let request: RequestIdentity
    private let cspID: String
    private let timeStamp: String
    private let calls: [DisclosedCall]

    /// Creates the response to `request` from the service provider `cspID`, sent at `timeStamp`
    /// (ISO 8601 UTC, `2026-11-29T10:15:00.000000Z` or without the fraction), holding `calls`.
    public init(request: RequestIdentity, cspID: String, timeStamp: String, calls: [DisclosedCall]) {
        self.request = request
        self.cspID = cspID
        self.timeStamp = timeStamp
        self.calls = calls
    }

    /// The whole document, UTF-8 text ending in a newline.
    public func xml() -> String {
        var xml = XMLWriter()
        xml.element("retainedDataMessage", namespace: Self.namespace) { xml in
            writeHeader(into: &xml)
            xml.element("retainedDataPayload") { xml in
                xml.element("responsePayload") { xml in writeResponse(into: &xml) }
            }
        }
        return xml.text
    }

    private func writeHeader(into xml: inout XMLWriter) {
        xml.element("retainedDataHeader") { xml in
            xml.element("requestID") { xml in
                xml.element("countryCode", request.countryCode)
                xml.element("authorisedOrganisationID", request.authorisedOrganisationID)
                xml.element("requestNumber", request.requestNumber)
            }
            xml.element("cSPID", cspID)
            xml.element("timeStamp", GeneralizedTime.text(of: timeStamp))
        }
    }

    private func writeResponse(into xml: inout XMLWriter) {
        xml.element("responseStatus") { xml in xml.emptyElement("responseComplete") }
        xml.element("numberOfRecords", String(calls.count))
        if calls.isEmpty {
            xml.emptyElement("responseRecords")
        } else {
            xml.element("responseRecords") { xml in
                for call in calls { TelephonyServiceUsageRecord(call: call).write(into: &xml) }
            }
        }
    }
}
