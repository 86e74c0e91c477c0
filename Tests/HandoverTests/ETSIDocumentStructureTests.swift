import Foundation
import Handover
import Testing

/// The document read back with Foundation's XML parser and walked by the element paths an importer
/// of national retained-data exports uses: every `ResponseRecord` in the RetainedData namespace,
/// then `recordPayload/telephonyRecord/telephonyServiceUsage/partyInformation` with one
/// `TelephonyPartyInformation` per party, its `partyRole` choice, `partyNumber` and
/// `communicationTime`, and the record's `additionalInformation/otherInformation`.
struct ETSIDocumentStructureTests {
    private static let namespace = "http://uri.etsi.org/02657/v1.28.1#/RetainedData"
    private static let usage = "recordPayload/telephonyRecord/telephonyServiceUsage"

    /// One party of one record as an importer reads it.
    private struct Party: Equatable {
        var role: String?
        var number: String?
        var start: String?
        var end: String?
        var duration: String?
    }

    private static func parties(of record: ParsedElement) -> [Party] {
        (record.find(usage + "/partyInformation")?.children ?? []).filter { $0.name == "TelephonyPartyInformation" }
            .map { party in
                Party(
                    role: party.child("partyRole")?.children.first?.name, number: party.text("partyNumber"),
                    start: party.text("communicationTime/startTime"), end: party.text("communicationTime/endTime"),
                    duration: party.text("communicationTime/durationTime"))
            }
    }

    /// `"Key"="Value";…` read the way importers read it, then the values' percent-encoding undone.
    private static func otherInformation(of record: ParsedElement) -> [String: String] {
        var facts: [String: String] = [:]
        for pair in (record.text("additionalInformation/otherInformation") ?? "").split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: ["\""]) }
            if parts.count == 2 { facts[parts[0]] = parts[1].removingPercentEncoding }
        }
        return facts
    }

    @Test("The root, its namespace, rdHeaderId and the request ID read back as written")
    func header() throws {
        let root = try #require(ParsedElement.parse(HandoverFixtures.document().xml()))
        #expect(root.name == "RetainedDataMessage" && root.namespace == Self.namespace)
        #expect(root.children.map(\.name) == ["rdHeaderId", "retainedDataHeader", "retainedDataPayload"])
        #expect(root.text("rdHeaderId") == "0.4.0.2.3.0.28")
        #expect(root.text("retainedDataHeader/requestID/countryCode") == "SE")
        #expect(root.text("retainedDataHeader/requestID/authorisedOrganisationID") == "Polismyndigheten Å&Ö")
        #expect(root.text("retainedDataHeader/requestID/requestNumber") == "2026-000123")
        #expect(root.text("retainedDataHeader/cSPID") == "Exempel Tele AB")
        #expect(root.text("retainedDataHeader/timeStamp") == "20261129101500Z")
        #expect(root.find("retainedDataPayload/responsePayload/responseStatus/responseComplete") != nil)
    }

    @Test("Every call's parties, roles, times and duration are recovered by the importer's paths")
    func calls() throws {
        let root = try #require(ParsedElement.parse(HandoverFixtures.document().xml()))
        let records = root.descendants("ResponseRecord")
        try #require(records.count == HandoverFixtures.calls.count)
        for (record, call) in zip(records, HandoverFixtures.calls) {
            #expect(record.text("recordNumber") == String(call.recordNumber))
            let start = String(call.startTime.filter(\.isNumber).prefix(14)) + "Z"
            let end = String(call.endTime.filter(\.isNumber).prefix(14)) + "Z"
            let duration = String(call.durationSeconds)
            #expect(
                Self.parties(of: record) == [
                    Party(role: "originating-Party", number: call.source, start: start, end: end, duration: duration),
                    Party(
                        role: "terminating-Party", number: call.destination, start: start, end: end,
                        duration: duration),
                ])
        }
    }

    @Test("The store's other facts read back whole from otherInformation, special characters included")
    func otherFacts() throws {
        let root = try #require(ParsedElement.parse(HandoverFixtures.document().xml()))
        let records = root.descendants("ResponseRecord")
        try #require(records.count == HandoverFixtures.calls.count)
        for (record, call) in zip(records, HandoverFixtures.calls) {
            let facts = Self.otherInformation(of: record)
            #expect(facts["Call Type"] == call.callType && facts["Disposition"] == call.disposition)
            #expect(facts["Calling IP Address"] == call.sourceIP && facts["Account"] == call.account)
            #expect(facts["Feed"] == call.feed && facts["Record Key"] == call.recordKey)
            #expect(facts["Stored"] == call.stored)
            #expect(facts["Answer Time"] == call.answerTime.map { String($0.filter(\.isNumber).prefix(14)) + "Z" })
        }
        #expect(Self.otherInformation(of: records[0])["Calling Equipment"] == "Yealink SIP-T46S")
        #expect(Self.otherInformation(of: records[1])["Calling Equipment"] == nil)
        #expect(Self.otherInformation(of: records[2])["Calling Equipment"] == "Fax <&\"'> v2\u{FFFD}beta")
    }

    @Test("A document without calls is well-formed and has no ResponseRecord")
    func withoutCalls() throws {
        let root = try #require(ParsedElement.parse(HandoverFixtures.document(calls: []).xml()))
        #expect(root.descendants("ResponseRecord").isEmpty)
        #expect(root.text("retainedDataPayload/responsePayload/numberOfRecords") == "0")
    }
}
