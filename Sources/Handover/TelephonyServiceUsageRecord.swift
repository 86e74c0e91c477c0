/// One disclosed call written as a `ResponseRecord` that holds a telephony service-usage record:
/// a `TelephonyPartyInformation` for each party with the call's times, then the store's other
/// facts about the call in the record's `additionalInformation`.
struct TelephonyServiceUsageRecord {
    /// The call it writes.
    let call: DisclosedCall

    /// Writes the `ResponseRecord` element.
    func write(into xml: inout XMLWriter) {
        xml.element("ResponseRecord") { xml in
            xml.element("recordNumber", String(call.recordNumber))
            xml.element("recordPayload") { xml in
                xml.element("telephonyRecord") { xml in
                    xml.element("telephonyServiceUsage") { xml in
                        xml.element("partyInformation") { xml in
                            writeParty(role: "originating-Party", number: call.source, into: &xml)
                            writeParty(role: "terminating-Party", number: call.destination, into: &xml)
                        }
                    }
                }
            }
            xml.element("additionalInformation") { xml in
                xml.element("otherInformation", OtherInformation.text(of: otherInformation))
            }
        }
    }

    private func writeParty(role: String, number: String, into xml: inout XMLWriter) {
        xml.element("TelephonyPartyInformation") { xml in
            xml.element("partyRole") { xml in xml.emptyElement(role) }
            xml.element("partyNumber", number)
            xml.element("communicationTime") { xml in
                xml.element("startTime", GeneralizedTime.text(of: call.startTime))
                xml.element("endTime", GeneralizedTime.text(of: call.endTime))
                xml.element("durationTime", String(call.durationSeconds))
            }
        }
    }

    /// The call's facts that have no component of their own in the record, in a fixed order; an
    /// unknown one is left out.
    private var otherInformation: [(key: String, value: String)] {
        let facts: [(String, String?)] = [
            ("Call Type", call.callType),
            ("Disposition", call.disposition),
            ("Answer Time", call.answerTime.map(GeneralizedTime.text(of:))),
            ("Calling IP Address", call.sourceIP),
            ("Calling Equipment", call.equipment),
            ("Account", call.account),
            ("Feed", call.feed),
            ("Record Key", call.recordKey),
            ("Stored", call.stored),
        ]
        return facts.compactMap { key, value in value.map { (key, $0) } }
    }
}
