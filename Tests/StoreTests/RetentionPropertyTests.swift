import CDRModel
import Foundation
import Generator
import Postgres
import Store
import TestSupport
import Testing

/// Random calls over 30 months, random holds, a random rising sequence of runs: after every run the
/// ceiling, floor and hold invariants hold exactly, checked by SQL of the test's own against a
/// snapshot of the calls taken before any run.
@Suite struct RetentionPropertyTests {
    @Test(arguments: [UInt64(1), 2, 3])
    func invariantsHoldAfterEveryRun(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let store = try RetentionFixture()
        let base = Instant.parse("2024-01-01")!
        let day: Int64 = 86_400_000_000
        let parties = (0..<6).map { "+4670100000\($0)" }
        let accounts = ["acme", "globex", "initech"]
        // 40 random days in 30 months, a few calls each.
        let days = Set((0..<40).map { _ in Int64(random.next() % 912) })
        var starts: [(String, String, String)] = []
        for dayIndex in days.sorted() {
            for _ in 0..<(1 + random.next() % 4) {
                let instant = base + dayIndex * day + Int64(random.next() % 86_400) * 1_000_000
                starts.append(
                    (
                        CanonicalTime.iso(instant), parties[Int(random.next() % UInt64(parties.count))],
                        accounts[Int(random.next() % UInt64(accounts.count))]
                    ))
            }
        }
        for (start, source, account) in starts {
            try store.insertCalls([start], source: source, account: account)
        }
        try store.connection.execute("CREATE TABLE original AS SELECT * FROM cdr.call")
        // Holds: by number or account, random windows, some expiring.
        var holdIDs: [Int64] = []
        for index in 0..<5 {
            let from = base + Int64(random.next() % 800) * day
            let to = from + Int64(1 + random.next() % 120) * day
            let expires = random.next() % 3 == 0 ? base + Int64(900 + random.next() % 300) * day : nil
            holdIDs.append(
                try store.hold(
                    identifiers: index % 2 == 0 ? [parties[index]] : [],
                    account: index % 2 == 1 ? accounts[index % accounts.count] : nil, from: CanonicalTime.iso(from),
                    to: CanonicalTime.iso(to), expires: expires.map(CanonicalTime.iso)))
        }
        // Runs at rising moments from 25 to 33 months after the start; one hold is released midway.
        var asOf = base + 760 * day
        var mostPreserved = 0
        for step in 0..<6 {
            asOf += Int64(1 + random.next() % 60) * day + Int64(random.next() % 86_400) * 1_000_000
            if step == 3 { try Holds(connection: store.connection).release(id: holdIDs[0], reason: "closed") }
            try store.run(asOf: CanonicalTime.iso(asOf))
            try checkInvariants(store, asOf: asOf)
            mostPreserved = max(mostPreserved, try store.count("SELECT count(*) FROM cdr.preserved_call"))
        }
        // The sequence exercised what it checks: days were dropped and holds kept calls.
        #expect(try store.count("SELECT count(*) FROM cdr.retention_log WHERE action = 'dropped'") > 0)
        #expect(mostPreserved > 0)
    }

    /// The invariants, in SQL independent of the code under test.
    private func checkInvariants(_ store: RetentionFixture, asOf: Int64) throws {
        let moment: [QueryParameter] = [.text(CanonicalTime.iso(asOf))]
        let cutoff = "(($1::timestamptz AT TIME ZONE 'UTC') - interval '24 months') AT TIME ZONE 'UTC'"
        let floor = "(($1::timestamptz AT TIME ZONE 'UTC') - interval '6 months') AT TIME ZONE 'UTC'"
        let heldAt = """
            EXISTS (SELECT 1 FROM cdr.hold AS h
                    WHERE h.released_at IS NULL AND (h.expires_at IS NULL OR h.expires_at > $1::timestamptz)
                      AND o.start_time >= h.window_from AND o.start_time < h.window_to
                      AND (o.source = ANY (h.identifiers) OR o.account = h.account))
            """
        // Ceiling: nothing before the cutoff is live.
        #expect(try store.count("SELECT count(*) FROM cdr.call WHERE start_time < \(cutoff)", moment) == 0)
        // Nothing at or after the cutoff (so nothing after the floor) was removed.
        #expect(
            try store.count(
                """
                SELECT count(*) FROM original AS o WHERE o.start_time >= \(cutoff)
                  AND NOT EXISTS (SELECT 1 FROM cdr.call AS c WHERE c.record_hash = o.record_hash
                                  AND c.start_time = o.start_time)
                """, moment) == 0)
        #expect(
            try store.count(
                """
                SELECT count(*) FROM original AS o WHERE o.start_time >= \(floor)
                  AND NOT EXISTS (SELECT 1 FROM cdr.call AS c WHERE c.record_hash = o.record_hash)
                """, moment) == 0)
        // Holds: every expired call an active hold covers is preserved ...
        #expect(
            try store.count(
                """
                SELECT count(*) FROM original AS o WHERE o.start_time < \(cutoff) AND \(heldAt)
                  AND NOT EXISTS (SELECT 1 FROM cdr.preserved_call AS p WHERE p.record_hash = o.record_hash
                                  AND p.start_time = o.start_time)
                """, moment) == 0)
        // ... and nothing expired is preserved that no active hold covers.
        #expect(
            try store.count(
                """
                SELECT count(*) FROM cdr.preserved_call AS o WHERE o.start_time < \(cutoff) AND NOT \(heldAt)
                """, moment) == 0)
        // No call is both live and preserved, and no call was invented.
        #expect(
            try store.count(
                "SELECT count(*) FROM cdr.call AS c JOIN cdr.preserved_call AS p USING (feed, record_hash, start_time)")
                == 0)
        #expect(
            try store.count(
                """
                SELECT count(*) FROM (SELECT record_hash, start_time FROM cdr.call
                                      UNION ALL SELECT record_hash, start_time FROM cdr.preserved_call) AS k
                WHERE NOT EXISTS (SELECT 1 FROM original AS o WHERE o.record_hash = k.record_hash
                                  AND o.start_time = k.start_time)
                """) == 0)
    }
}

/// ISO 8601 text of instants, for SQL parameters.
enum CanonicalTime {
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    static func iso(_ instant: Int64) -> String {
        let text = CivilTime(unixSeconds: instant / 1_000_000).text
        return text.replacingOccurrences(of: " ", with: "T") + "Z"
    }
}
