import CDRModel
import Handover
import Testing

/// The chain check, without a database: a chain built here verifies, and each kind of tampering
/// is named at the entry where the chain breaks.
@Suite struct AuditChainTests {
    /// `count` entries chained the way the database chains them.
    private func chain(_ count: Int) -> [AuditEntry] {
        var entries: [AuditEntry] = []
        var previous = AuditChain.genesis
        for sequence in 1...Int64(count) {
            var entry = AuditEntry(
                sequence: sequence, at: "2026-11-29T10:00:0\(sequence % 10).000000Z", login: "alice", action: "lookup",
                requestID: sequence % 2 == 0 ? 1 : nil, criteria: "{\"identifier\": \"+46701234567\"}",
                records: sequence,
                resultSHA256: sequence % 3 == 0 ? nil : String(repeating: "ab", count: 32), previousHash: previous,
                entryHash: "")
            entry.entryHash = AuditChain.hash(of: entry, after: previous)
            previous = entry.entryHash
            entries.append(entry)
        }
        return entries
    }

    @Test func anIntactChainHasNoBreak() {
        #expect(AuditChain.firstBreak(in: chain(20)) == nil)
        #expect(AuditChain.firstBreak(in: []) == nil)
    }

    @Test func everyFieldIsCoveredByTheHash() {
        let edits: [(inout AuditEntry) -> Void] = [
            { $0.at = "2026-11-29T11:00:00.000000Z" }, { $0.login = "bob" }, { $0.action = "export" },
            { $0.requestID = 2 }, { $0.criteria = "{}" }, { $0.records = 0 }, { $0.resultSHA256 = nil },
        ]
        for edit in edits {
            var entries = chain(10)
            edit(&entries[6])
            #expect(
                AuditChain.firstBreak(in: entries)
                    == .init(sequence: 7, reason: "was changed (its contents do not match its hash)"))
        }
    }

    @Test func aMissingEntryAndAForeignOneAreNamed() {
        var deleted = chain(10)
        deleted.remove(at: 4)
        #expect(AuditChain.firstBreak(in: deleted)?.sequence == 5)
        #expect(AuditChain.firstBreak(in: deleted)?.reason.contains("is missing (the log jumps from 4 to 6)") == true)
        var spliced = chain(10)
        spliced[5].previousHash = spliced[3].entryHash
        spliced[5].entryHash = AuditChain.hash(of: spliced[5], after: spliced[3].entryHash)
        #expect(AuditChain.firstBreak(in: spliced)?.sequence == 6)
        #expect(AuditChain.firstBreak(in: spliced)?.reason.contains("does not follow") == true)
    }

    @Test func netstringsKeepFieldsApartAndNullsDistinct() {
        #expect(String(decoding: Netstring.encode(["ab", nil, "", "å"]), as: UTF8.self) == "2:ab,-,0:,2:å,")
        #expect(Netstring.encode(["a,b"]) != Netstring.encode(["a", "b"]))
    }

    @Test func theResultDigestDependsOnEveryCallAndItsOrder() {
        let first = DisclosedCall(
            recordNumber: 1, startTime: "2026-10-11T12:03:27.000000Z", answerTime: nil,
            endTime: "2026-10-11T12:03:47.000000Z", durationSeconds: 20, source: "+46701234567",
            destination: "+46812345678", sourceIP: nil, callType: "voice", disposition: "no_answer", equipment: nil,
            account: nil, feed: "pbx", recordKey: nil, stored: "live")
        var second = first
        second.recordNumber = 2
        second.stored = "preserved"
        let digest = Disclosure.digest(of: [first, second])
        #expect(digest.count == 64)
        #expect(digest != Disclosure.digest(of: [second, first]))
        #expect(digest != Disclosure.digest(of: [first]))
        #expect(Disclosure.digest(of: []) == SHA256Digest.hex(SHA256Digest.of([UInt8]())))
    }
}
