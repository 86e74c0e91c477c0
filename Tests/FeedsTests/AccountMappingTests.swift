import CDRModel
import Feeds
import Testing

/// A feed's account codes mapped to billing accounts.
@Suite struct AccountMappingTests {
    private func call(account: String?) -> CallRecord {
        CallRecord(
            startTime: 0, answerTime: nil, endTime: 0, durationSeconds: 0, billableSeconds: 0, source: "1",
            destination: "2", callType: .voice, disposition: .noAnswer, account: account)
    }

    private func mapped(_ account: String?, _ mapping: AccountMapping) -> String? {
        var record = call(account: account)
        mapping.apply(to: &record)
        return record.account
    }

    @Test func listedCodesAreMappedAndTheRestGoToTheStarAccount() throws {
        let mapping = try AccountMapping(parsing: "1001=ACME,1002=Globex,*=WALKIN")
        #expect(mapping == AccountMapping(accounts: ["1001": "ACME", "1002": "Globex"], otherwise: "WALKIN"))
        #expect(mapped("1001", mapping) == "ACME")
        #expect(mapped("1002", mapping) == "Globex")
        #expect(mapped("9999", mapping) == "WALKIN")
        #expect(mapped(nil, mapping) == "WALKIN")
    }

    @Test func withoutAStarUnlistedCodesStayAsWritten() throws {
        let mapping = try AccountMapping(parsing: "1001=ACME")
        #expect(mapped("9999", mapping) == "9999")
        #expect(mapped(nil, mapping) == nil)
    }

    @Test(arguments: [
        ("1001", "account map entry '1001' is not CODE=ACCOUNT (or *=ACCOUNT for the rest)"),
        ("=ACME", "account map entry '=ACME' is not CODE=ACCOUNT (or *=ACCOUNT for the rest)"),
        ("1001=A,1001=B", "account map names '1001' twice"),
        ("*=A,*=B", "account map names '*' twice"),
    ])
    func aBadMapIsRefusedWithItsEntry(text: String, reason: String) {
        #expect(throws: FeedSettingsError.self) { try AccountMapping(parsing: text) }
        do {
            _ = try AccountMapping(parsing: text)
        } catch {
            #expect(error.description == reason)
        }
    }

    @Test func parsingAppliesTheFeedsMapping() throws {
        let settings = try FeedSettings(
            format: "cdr-jsonl", timeZone: "UTC", countryCode: nil,
            accountMapping: AccountMapping(accounts: ["a-1": "ACME"], otherwise: nil))
        var parser = settings.makeParser()
        let line =
            Array(
                #"{"start_time":"2026-10-11T12:00:00Z","end_time":"2026-10-11T12:01:00Z","source":"1","destination":"2","account":"a-1"}"#
                    .utf8) + [10]
        var accounts: [String?] = []
        _ = line.withUnsafeBytes { buffer in
            parser.parse(buffer, baseOffset: 0, atEnd: true) { event in
                if case .record(let call, _, _) = event { accounts.append(call.account) }
            }
        }
        #expect(accounts == ["ACME"])
    }
}
