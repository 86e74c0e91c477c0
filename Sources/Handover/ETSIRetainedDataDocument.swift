/// An ETSI TS 102 657 retained-data response for one legal request, as XML text.
///
/// The document is the XER rendering (ITU-T X.693) of a `RetainedDataMessage` of the module
/// `RDMessage` version 28 (TS 102 657 V1.28.1), in that version's namespace
/// `http://uri.etsi.org/02657/v1.28.1#/RetainedData`. The root element is named after the type;
/// every other element after its ASN.1 component; a SEQUENCE's components come in declaration
/// order; a CHOICE is written as the element of the alternative taken; NULL and ENUMERATED values
/// as empty elements; an OBJECT IDENTIFIER in dotted form; a SEQUENCE OF an unnamed type as one
/// element per item named after the type (`ResponseRecord`, `TelephonyPartyInformation`).
///
/// It holds `rdHeaderId` (`0.4.0.2.3.0.28`: itu-t, identified-organization, etsi, securityDomain,
/// retainedData, rdHeader, version28), the header (`requestID`, `cSPID`, `timeStamp`), and a
/// response payload delivered complete in one message. Each call is a `ResponseRecord` whose
/// `recordPayload` is a `telephonyRecord` / `telephonyServiceUsage` with a
/// `TelephonyPartyInformation` for the originating and for the terminating party (`partyRole`,
/// `partyNumber`, `communicationTime` with `startTime`, `endTime` and `durationTime`). What the
/// store knows beyond that (call type, disposition, answer time, the caller's IP address and
/// equipment, account, feed, the feed's record key, live or preserved) is in the record's
/// `additionalInformation` / `otherInformation`, written `"Key"="Value";…` as national exports
/// do. Times are GeneralizedTime in whole seconds (`20260315143000Z`). The message's optional
/// `retainedDataDigest` is not written.
///
/// Checked against the module text: the message wrapper, header, request ID and the OID's arcs
/// (read for versions 27 and 29; version 28 is taken to be V1.28.1's, as version 3 is V1.3.1's
/// and version 5 is V1.5.1's). Checked against the element paths an importer of real national
/// exports reads: `ResponseRecord`, `recordNumber`, the record payload's path, the party and its
/// components, `additionalInformation/otherInformation`. Not checked against the module body:
/// the response payload's components (`responseStatus`, `numberOfRecords`, `responseRecords`)
/// and the order of a party's components.
public struct ETSIRetainedDataDocument: Sendable, Equatable {
    private static let namespace = "http://uri.etsi.org/02657/v1.28.1#/RetainedData"
    private static let rdHeaderId = "0.4.0.2.3.0.28"

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
        xml.element("RetainedDataMessage", namespace: Self.namespace) { xml in
            xml.element("rdHeaderId", Self.rdHeaderId)
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
