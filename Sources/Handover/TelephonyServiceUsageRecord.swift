/// One disclosed call written as a `responseRecord` that holds a telephony service-usage record:
/// the originating and terminating parties with the call's times, then its type and outcome.
struct TelephonyServiceUsageRecord {
    /// The call it writes.
    let call: DisclosedCall

    /// Writes the `responseRecord` element.
    func write(into xml: inout XMLWriter) {
        xml.element("responseRecord") { xml in
            xml.element("recordNumber", String(call.recordNumber))
            xml.element("recordPayload") { xml in
                xml.element("telephonyRecord") { xml in
                    xml.element("telephonyServiceUsage") { xml in writeServiceUsage(into: &xml) }
                }
            }
        }
    }

    private func writeServiceUsage(into xml: inout XMLWriter) {
        writeParty(
            type: "originating", address: call.source, ipAddress: call.sourceIP, equipment: call.equipment,
            into: &xml)
        writeParty(type: "terminating", address: call.destination, ipAddress: nil, equipment: nil, into: &xml)
        xml.element("communicationType", call.callType)
        xml.element("callStatus", call.disposition)
        xml.element("answerTime", ifPresent: call.answerTime.map(GeneralizedTime.text(of:)))
    }

    private func writeParty(
        type: String, address: String, ipAddress: String?, equipment: String?, into xml: inout XMLWriter
    ) {
        xml.element("partyInformation") { xml in
            xml.element("partyType", type)
            xml.element(Self.isSIPURI(address) ? "sipURI" : "partyNumber", address)
            xml.element("communicationTime") { xml in
                xml.element("startTime", GeneralizedTime.text(of: call.startTime))
                xml.element("endTime", GeneralizedTime.text(of: call.endTime))
                xml.element("durationTime", String(call.durationSeconds))
            }
            xml.element("iPAddress", ifPresent: ipAddress)
            xml.element("equipmentID", ifPresent: equipment)
        }
    }

    /// Whether `address` is a SIP URI: its scheme, in any case, is `sip` or `sips`.
    private static func isSIPURI(_ address: String) -> Bool {
        let start = address.prefix(5).lowercased()
        return start.hasPrefix("sip:") || start.hasPrefix("sips:")
    }
}
