import CDRModel
import Foundation
import Generator
import Postgres
import Store
import TestSupport
import Testing

/// Random calls of numbers, SIP URIs and IPv4/IPv6 source addresses over 30 months, random holds,
/// retention runs, late calls, and a DBA's changes with psql (a call's parties corrected, a call
/// inserted straight into its day's partition, a call deleted): after every run, each lookup of
/// each identifier over a random window finds exactly the calls a plain scan of `cdr.call` and
/// `cdr.preserved_call` finds, and `cdr.identifier_day` holds exactly the (identifier, day)
/// pairs, with the columns each occurs in, of the live calls of each partition
/// `cdr.indexed_partition` lists (each run indexes the finished days; the late calls and changes
/// reach indexed days after it).
@Suite struct LookupPropertyTests {
    private static let parties = [
        "+46701000001", "+46701000002", "+46701000003", "sip:alice@example.com", "sip:bob@example.org",
    ]
    private static let addresses = ["192.0.2.10", "192.0.2.11", "2001:db8::1", "2001:db8::a:1"]
    private static let day: Int64 = 86_400_000_000
    private static let base = Instant.parse("2024-01-01")!

    @Test(arguments: [UInt64(1), 2, 3])
    func lookupsFindWhatAPlainScanFinds(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let fixture = try LawfulFixture()
        let store = fixture.store
        let request = try wholeWindowRequest(fixture)
        var starts = Set<Int64>()
        // 40 random days in 30 months, a few calls each.
        for dayIndex in Set((0..<40).map { _ in Int64(random.next() % 912) }).sorted() {
            for _ in 0..<(1 + random.next() % 4) {
                try insertCall(
                    at: Self.base + dayIndex * Self.day + Int64(random.next() % 86_400) * 1_000_000,
                    store, &random, &starts)
            }
        }
        for index in 0..<4 {
            let from = Self.base + Int64(random.next() % 800) * Self.day
            let identifier = index % 2 == 0 ? Self.parties[index] : Self.addresses[index]
            try store.hold(
                identifiers: [identifier], from: CanonicalTime.iso(from),
                to: CanonicalTime.iso(from + Int64(1 + random.next() % 200) * Self.day))
        }
        var asOf = Self.base + 760 * Self.day
        var found = (live: 0, preserved: 0)
        var (unindexed, indexed) = (0, 0)
        for step in 0..<6 {
            asOf += Int64(1 + random.next() % 60) * Self.day + Int64(random.next() % 86_400) * 1_000_000
            // Calls on both sides of the cutoff on its day, so that the run trims that day.
            let cutoff = Int64(
                try store.connection.execute(
                    "SELECT (extract(epoch FROM cdr.retention_cutoff($1::timestamptz)) * 1000000)::bigint",
                    [.text(CanonicalTime.iso(asOf))]
                ).scalar!)!
            let cutoffDay = cutoff - cutoff % Self.day
            let secondsBefore = UInt64((cutoff - cutoffDay) / 1_000_000)
            let secondsAfter = UInt64((cutoffDay + Self.day - cutoff) / 1_000_000)
            if secondsBefore > 0 {
                try insertCall(
                    at: cutoffDay + Int64(random.next() % secondsBefore) * 1_000_000, store, &random, &starts)
            }
            try insertCall(at: cutoff + Int64(random.next() % secondsAfter) * 1_000_000, store, &random, &starts)
            // Every other run finds those days indexed already, as a daily run would.
            if step % 2 == 1 {
                _ = try Partitions(connection: store.connection).indexDays(
                    before: Instant.parse("2030-01-01")! / Self.day)
            }
            try store.run(asOf: CanonicalTime.iso(asOf))
            // Late calls, arriving after the run: on random days between its cutoff and its moment,
            // and on a day the run indexed.
            for _ in 0..<3 {
                try insertCall(
                    at: cutoff + Int64(random.next() % 730) * Self.day + Int64(random.next() % 86_400) * 1_000_000,
                    store, &random, &starts)
            }
            let kept = starts.filter { $0 >= cutoff }.sorted()
            if !kept.isEmpty {
                let day = kept[Int(random.next() % UInt64(kept.count))] / Self.day * Self.day
                try insertCall(at: day + Int64(random.next() % 86_400) * 1_000_000, store, &random, &starts)
                try changeAsADBA(store, &random, &starts, kept: kept)
            }
            #expect(try identifierDaysMissingOrExtra(store) == 0)
            unindexed = max(
                unindexed,
                try store.count(
                    """
                    SELECT count(*) FROM cdr.unindexed_partition AS u
                    WHERE EXISTS (SELECT 1 FROM cdr.identifier_day AS d WHERE d.day = u.day)
                    """))
            indexed = max(indexed, try store.count("SELECT count(*) FROM cdr.indexed_partition"))
            for identifier in Self.parties + Self.addresses {
                let window = randomWindow(&random)
                let looked = try fixture.lookup(request, identifier, from: window.from, to: window.to)
                let got = looked.calls.map { "\($0.recordKey ?? "") \($0.stored)" }.sorted()
                let expected = try plainScan(store, identifier, window)
                #expect(got == expected, "lookup of \(identifier) from \(window.from ?? "-") to \(window.to ?? "-")")
                found.live += looked.calls.filter { $0.stored == "live" }.count
                found.preserved += looked.calls.filter { $0.stored == "preserved" }.count
            }
        }
        // The sequence exercised what it checks: days dropped and trimmed, lookups on indexed days and
        // on days indexed once and changed since, calls found live and preserved.
        #expect(unindexed > 0 && indexed > 0)
        #expect(try store.count("SELECT count(*) FROM cdr.retention_log WHERE action = 'dropped'") > 0)
        #expect(try store.count("SELECT count(*) FROM cdr.retention_log WHERE action = 'trimmed'") > 0)
        #expect(found.live > 0)
        #expect(found.preserved > 0)
    }

    /// A request over all the test's years naming no identifier, so that any may be looked up.
    private func wholeWindowRequest(_ fixture: LawfulFixture) throws -> Int64 {
        let id = try LegalRequests(connection: fixture.alice).create(
            LegalRequests.Draft(
                countryCode: "SE", authority: "Polismyndigheten", number: "2026-000999", legalBasis: "RB27_19",
                decisionBy: "court", decisionReference: "B 999-26", identifiers: [],
                authorisedFrom: Instant.parse("2023-01-01")!, authorisedTo: Instant.parse("2030-01-01")!,
                deadline: nil)
        ).id
        try LegalRequests(connection: fixture.bob).approve(id)
        return id
    }

    /// Inserts a call at `instant` (unless one starts then already) between two random parties,
    /// with a random source address or none.
    private func insertCall(
        at instant: Int64, _ store: RetentionFixture, _ random: inout SeededRandom, _ starts: inout Set<Int64>
    ) throws {
        let source = Self.parties[Int(random.next() % UInt64(Self.parties.count))]
        let destination = Self.parties[Int(random.next() % UInt64(Self.parties.count))]
        let address = random.next() % 3 == 0 ? nil : Self.addresses[Int(random.next() % UInt64(Self.addresses.count))]
        guard starts.insert(instant).inserted else { return }
        try store.insertCalls(
            [CanonicalTime.iso(instant)], source: source, destination: destination, sourceIP: address)
    }

    /// What a DBA may do with psql to the calls of indexed days: correct a random kept call's
    /// source to another party, insert a call straight into a kept call's day partition (not
    /// through `cdr.call`), and delete a random kept call.
    private func changeAsADBA(
        _ store: RetentionFixture, _ random: inout SeededRandom, _ starts: inout Set<Int64>, kept: [Int64]
    ) throws {
        let corrected = kept[Int(random.next() % UInt64(kept.count))]
        try store.connection.execute(
            "UPDATE cdr.call SET source = $2 WHERE start_time = $1::timestamptz",
            [
                .text(CanonicalTime.iso(corrected)),
                .text(Self.parties[Int(random.next() % UInt64(Self.parties.count))]),
            ])
        let day = kept[Int(random.next() % UInt64(kept.count))] / Self.day * Self.day
        let instant = day + Int64(random.next() % 86_400) * 1_000_000
        if starts.insert(instant).inserted {
            let partition = try store.connection.execute(
                "SELECT cdr.partition_name(($1::timestamptz AT TIME ZONE 'UTC')::date)",
                [.text(CanonicalTime.iso(instant))]
            ).scalar!
            try store.connection.execute(
                """
                INSERT INTO cdr.\(partition) (start_time, answer_time, end_time, duration_s, billable_s, source,
                                           destination, source_ip, call_type, disposition, feed, record_key, record_hash)
                VALUES ($1::timestamptz, $1::timestamptz, $1::timestamptz + interval '30 seconds', 30, 0, $2, $3, $4::inet,
                        'voice', 'answered', 'psql', 'direct ' || $5, substr(sha256(convert_to($5, 'UTF8')), 1, 16))
                """,
                [
                    .text(CanonicalTime.iso(instant)),
                    .text(Self.parties[Int(random.next() % UInt64(Self.parties.count))]),
                    .text(Self.parties[Int(random.next() % UInt64(Self.parties.count))]),
                    .optional(Self.addresses[Int(random.next() % UInt64(Self.addresses.count))]),
                    .text(CanonicalTime.iso(instant)),
                ])
        }
        let deleted = kept[Int(random.next() % UInt64(kept.count))]
        try store.connection.execute(
            "DELETE FROM cdr.call WHERE start_time = $1::timestamptz", [.text(CanonicalTime.iso(deleted))])
    }

    /// The whole window (nil, nil) once in four, else random bounds, either possibly open.
    private func randomWindow(_ random: inout SeededRandom) -> (from: String?, to: String?) {
        if random.next() % 4 == 0 { return (nil, nil) }
        let from = Self.base + Int64(random.next() % 1_000) * Self.day + Int64(random.next() % 86_400) * 1_000_000
        let to = from + Int64(1 + random.next() % 400) * Self.day
        return (
            random.next() % 5 == 0 ? nil : CanonicalTime.iso(from), random.next() % 5 == 0 ? nil : CanonicalTime.iso(to)
        )
    }

    /// The record keys (and where each is stored) of the calls a lookup of `identifier` over the
    /// window must find, by a plain scan: live calls, and preserved calls not also live.
    private func plainScan(_ store: RetentionFixture, _ identifier: String, _ window: (from: String?, to: String?))
        throws -> [String]
    {
        let isAddress = Self.addresses.contains(identifier)
        let matches = "(source = $1 OR destination = $1 OR source_ip = $2::inet)"
        let within = "start_time >= $3::timestamptz AND start_time < $4::timestamptz"
        return try store.connection.execute(
            """
            SELECT record_key || ' live' FROM cdr.call WHERE \(matches) AND \(within)
            UNION ALL
            SELECT record_key || ' preserved' FROM cdr.preserved_call AS p
            WHERE \(matches) AND \(within)
              AND NOT EXISTS (SELECT 1 FROM cdr.call AS c
                              WHERE c.feed = p.feed AND c.record_hash = p.record_hash AND c.start_time = p.start_time)
            """,
            [
                .text(identifier), .optional(isAddress ? identifier : nil),
                .text(window.from ?? "2023-01-01T00:00:00Z"),
                .text(window.to ?? "2030-01-01T00:00:00Z"),
            ]
        ).rows.map { $0[0]! }.sorted()
    }

    /// How many pairs `cdr.identifier_day` lacks, holds with other roles, or holds without a live
    /// call giving them, on the days whose partition `cdr.indexed_partition` lists. On another
    /// day (changed since its indexing) the pairs may be stale: lookups search it in full.
    private func identifierDaysMissingOrExtra(_ store: RetentionFixture) throws -> Int {
        try store.count(
            """
            WITH expected AS (
                SELECT identifier, day, bit_or(role) AS roles
                FROM (SELECT source AS identifier, (start_time AT TIME ZONE 'UTC')::date AS day, 1 AS role FROM cdr.call
                      UNION ALL SELECT destination, (start_time AT TIME ZONE 'UTC')::date, 2 FROM cdr.call
                      UNION ALL SELECT source_ip::text, (start_time AT TIME ZONE 'UTC')::date, 4 FROM cdr.call
                                WHERE source_ip IS NOT NULL) AS occurrences
                GROUP BY identifier, day
            )
            SELECT (SELECT count(*) FROM cdr.identifier_day AS d JOIN cdr.indexed_partition AS i USING (day)
                    WHERE NOT EXISTS (SELECT 1 FROM expected AS e
                                      WHERE e.identifier = d.identifier AND e.day = d.day AND e.roles = d.roles))
                 + (SELECT count(*) FROM expected AS e JOIN cdr.indexed_partition AS i USING (day)
                    WHERE NOT EXISTS (SELECT 1 FROM cdr.identifier_day AS d
                                      WHERE d.identifier = e.identifier AND d.day = e.day AND d.roles = e.roles))
            """)
    }
}
