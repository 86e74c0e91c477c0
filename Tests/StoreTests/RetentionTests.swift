import CDRModel
import Foundation
import Postgres
import Store
import TestSupport
import Testing

/// Retention: the ceiling exact to the second, the floor untouchable, holds that survive, statistics, the log.
@Suite struct RetentionTests {
    let store: RetentionFixture
    init() throws { store = try RetentionFixture() }

    @Test func expiredDaysAreDroppedAndTheStraddlingDayTrimmedToTheSecond() throws {
        try store.insertCalls([
            "2024-03-13T08:00:00Z", "2024-03-14T23:59:59Z", "2024-03-15T12:29:59Z", "2024-03-15T12:30:00Z",
            "2024-03-16T00:00:00Z",
        ])
        let report = try store.run(asOf: "2026-03-15T12:30:00Z")
        #expect(report.cutoff == "2024-03-15T12:30:00Z")
        #expect(report.days.map(\.day) == ["2024-03-13", "2024-03-14", "2024-03-15"])
        #expect(report.days.map(\.action) == [.drop, .drop, .trim])
        #expect(report.days.map(\.rowsRemoved) == [1, 1, 1])
        #expect(try store.partitionDays() == ["2024-03-15", "2024-03-16"])
        let left = try store.connection.execute("SELECT start_time::text FROM cdr.call ORDER BY 1").rows.map { $0[0]! }
        #expect(left == ["2024-03-15 12:30:00+00", "2024-03-16 00:00:00+00"])
        let detached = try store.count(
            "SELECT count(*) FROM pg_class WHERE relname IN ('call_p20240313', 'call_p20240314')")
        #expect(detached == 0)
        let log = try store.connection.execute(
            "SELECT day::text, action, rows_removed FROM cdr.retention_log ORDER BY day")
        #expect(
            log.rows == [
                ["2024-03-13", "dropped", "1"], ["2024-03-14", "dropped", "1"], ["2024-03-15", "trimmed", "1"],
            ])
    }

    @Test(arguments: [
        ("2026-02-28T00:00:00Z", 24, "UTC", "2024-02-28T00:00:00Z"),
        ("2025-03-31T00:00:00Z", 13, "UTC", "2024-02-29T00:00:00Z"),
        ("2024-02-29T06:00:00Z", 12, "UTC", "2023-02-28T06:00:00Z"),
        ("2026-05-31T10:00:00Z", 3, "UTC", "2026-02-28T10:00:00Z"),
        // 03:30 summer time in Stockholm, 12 months back is 03:30 winter time, one hour later in UTC.
        ("2026-03-29T01:30:00Z", 12, "Europe/Stockholm", "2025-03-29T02:30:00Z"),
        // 02:30 on the autumn day is ambiguous locally; 12 months earlier it is plain summer time.
        ("2026-10-25T00:30:00Z", 12, "Europe/Stockholm", "2025-10-25T00:30:00Z"),
    ])
    func cutoffCountsCalendarMonthsInTheRetentionZone(asOf: String, months: Int, zone: String, expected: String) throws
    {
        try store.connection.execute(
            "UPDATE cdr.settings SET retention_floor_months = 1, retention_ceiling_months = $1, retention_zone = $2",
            [.text(String(months)), .text(zone)])
        #expect(try store.run(asOf: asOf, dryRun: true).cutoff == expected)
    }

    @Test func theFloorIsNeverCrossed() throws {
        let runner = RetentionRunner(connection: store.connection)
        let now = Instant.parse("2026-11-29T03:00:00Z")!
        let farFuture = #expect(throws: StoreError.self) {
            try runner.run(asOf: Instant.parse("2036-01-01")!, now: now, dryRun: true)
        }
        #expect(farFuture?.description.contains("younger than the retention floor") == true)
        let ahead = #expect(throws: StoreError.self) {
            try runner.run(asOf: now + 2 * 86_400_000_000, now: now, dryRun: false)
        }
        #expect(ahead?.description.contains("more than a day ahead") == true)
        #expect(throws: StoreError.self) {
            try RetentionPolicy(ceilingMonths: 3, floorMonths: 6).save(to: store.connection, override: true)
        }
        #expect(throws: PostgresError.self) {
            try store.connection.execute("UPDATE cdr.settings SET retention_ceiling_months = 3")
        }
    }

    @Test func policyLimitsNeedTheOverrideAndChangesAreLogged() throws {
        #expect(throws: StoreError.self) {
            try RetentionPolicy(ceilingMonths: 121, floorMonths: 6).save(to: store.connection, override: false)
        }
        #expect(throws: StoreError.self) {
            try RetentionPolicy(ceilingMonths: 24, floorMonths: 0).save(to: store.connection, override: false)
        }
        try RetentionPolicy(ceilingMonths: 12, floorMonths: 6).save(to: store.connection, override: false)
        try RetentionPolicy(ceilingMonths: 130, floorMonths: 6).save(to: store.connection, override: true)
        #expect(try RetentionPolicy.load(from: store.connection) == RetentionPolicy(ceilingMonths: 130, floorMonths: 6))
        #expect(throws: StoreError.self) {
            try RetentionPolicy(ceilingMonths: 24, floorMonths: 6, zone: "Mars/Olympus").save(
                to: store.connection, override: false)
        }
        let log = try store.connection.execute(
            "SELECT ceiling_before, ceiling_after, override FROM cdr.settings_log ORDER BY id")
        #expect(log.rows == [["24", "12", "f"], ["12", "130", "t"]])
    }

    @Test func heldCallsOutliveTheirDroppedDayAndAreFoundInThePreservedStore() throws {
        try store.insertCalls(["2024-03-10T10:00:00Z", "2024-03-11T10:00:00Z"], source: "+46701234567")
        try store.insertCalls(["2024-03-10T11:00:00Z"], source: "+46709999999", account: "other")
        try store.insertCalls(["2024-03-11T12:00:00Z"], source: "+46708888888", account: "other", sourceIP: "192.0.2.7")
        // The hold starts before the first dropped day and ends after the last; the number is given nationally.
        let byNumber = try store.hold(identifiers: ["070-123 45 67"], from: "2024-03-01", to: "2024-04-01")
        let byAddress = try store.hold(identifiers: ["192.0.2.7"], from: "2024-03-11", to: "2024-03-12")
        let report = try store.run(asOf: "2026-03-20T00:00:00Z")
        #expect(report.days.map(\.action) == [.drop, .drop])
        #expect(report.days.map(\.rowsPreserved) == [1, 2])
        #expect(report.days[0].preservedByHold == [byNumber: 1])
        #expect(report.days[1].preservedByHold == [byNumber: 1, byAddress: 1])
        #expect(try store.partitionDays().isEmpty)
        let preserved = try store.connection.execute(
            "SELECT start_time::text, source, hold_ids::text FROM cdr.preserved_call ORDER BY start_time")
        #expect(
            preserved.rows == [
                ["2024-03-10 10:00:00+00", "+46701234567", "{\(byNumber)}"],
                ["2024-03-11 10:00:00+00", "+46701234567", "{\(byNumber)}"],
                ["2024-03-11 12:00:00+00", "+46708888888", "{\(byAddress)}"],
            ])
        // A second run changes nothing: the days are gone and the holds still keep their calls.
        let again = try store.run(asOf: "2026-03-21T00:00:00Z")
        #expect(again.days.isEmpty && again.purged == 0)
        #expect(try store.count("SELECT count(*) FROM cdr.preserved_call") == 3)
    }

    @Test func aReleasedHoldLetsItsCallsGoAtTheNextRun() throws {
        try store.insertCalls(["2024-03-10T10:00:00Z"])
        let keep = try store.hold(account: "acme", from: "2024-03-10", to: "2024-03-11", kind: "billing")
        try store.run(asOf: "2026-03-20T00:00:00Z")
        #expect(try store.count("SELECT count(*) FROM cdr.preserved_call") == 1)
        try Holds(connection: store.connection).release(id: keep, reason: "invoice paid")
        let report = try store.run(asOf: "2026-03-21T00:00:00Z")
        #expect(report.purged == 1)
        #expect(try store.count("SELECT count(*) FROM cdr.preserved_call") == 0)
        #expect(try store.count("SELECT rows_removed FROM cdr.retention_log WHERE action = 'purged'") == 1)
    }

    @Test func anAccountHoldKeepsThatAccountsCallsOnly() throws {
        try store.insertCalls(["2024-03-10T10:00:00Z"], account: "acme")
        try store.insertCalls(["2024-03-10T11:00:00Z"], source: "+46709999999", account: "globex")
        let hold = try store.hold(account: "acme", from: "2024-03-01", to: "2024-04-01", kind: "billing")
        let report = try store.run(asOf: "2026-03-20T00:00:00Z")
        #expect(report.days.map(\.preservedByHold) == [[hold: 1]])
        let kept = try store.connection.execute("SELECT account, hold_ids::text FROM cdr.preserved_call")
        #expect(kept.rows == [["acme", "{\(hold)}"]])
        #expect(try store.count("SELECT cardinality(cdr.holds_covering(now(), 'x', 'y', NULL, 'globex', now()))") == 0)
    }

    @Test func anExpiredHoldKeepsNothing() throws {
        try store.insertCalls(["2024-03-10T10:00:00Z"])
        try store.hold(identifiers: ["+46701234567"], from: "2024-03-01", to: "2024-04-01", expires: "2026-03-01")
        let report = try store.run(asOf: "2026-03-20T00:00:00Z")
        #expect(report.days.map(\.rowsPreserved) == [0])
        #expect(try store.count("SELECT count(*) FROM cdr.preserved_call") == 0)
    }

    @Test func daysAreRolledUpOnceAnonymouslyWithSmallCellsMerged() throws {
        let times = (0..<6).map { String(format: "2024-03-10T10:%02d:00Z", $0) }
        try store.insertCalls(times, destination: "+46812345678")
        try store.insertCalls(["2024-03-10T11:00:00Z", "2024-03-10T11:01:00Z"], destination: "+442079460000")
        try store.insertCalls(["2024-03-10T12:00:00Z"], destination: "1001")
        let report = try store.run(asOf: "2026-03-20T00:00:00Z")
        #expect(report.days.map(\.statsRows) == [2])
        let stats = try store.connection.execute(
            """
            SELECT day::text, call_type, disposition, direction, destination, calls, total_seconds, billable_seconds
            FROM stats.daily_traffic ORDER BY calls DESC
            """)
        #expect(
            stats.rows == [
                ["2024-03-10", "voice", "answered", "unknown", "+46", "6", "360", "360"],
                ["2024-03-10", "other", "other", "other", "other", "3", "180", "180"],
            ])
        #expect(
            try store.count("SELECT coalesce(sum(rows_written), 0) FROM stats.roll_up_days('2024-03-10', '2024-03-10')")
                == 0)
        #expect(try store.count("SELECT count(*) FROM stats.daily_traffic") == 2)
    }

    @Test func aDryRunChangesNothingAndSaysExactlyWhatTheRunDoes() throws {
        try store.insertCalls(["2024-03-10T10:00:00Z", "2024-03-11T10:00:00Z", "2024-03-12T18:00:00Z"])
        try store.hold(identifiers: ["+46701234567"], from: "2024-03-11", to: "2024-03-12")
        func snapshot() throws -> [Int] {
            try [
                "SELECT count(*) FROM cdr.call", "SELECT count(*) FROM cdr.preserved_call",
                "SELECT count(*) FROM stats.daily_traffic", "SELECT count(*) FROM cdr.retention_log",
                "SELECT count(*) FROM cdr.partitions",
            ].map { try store.count($0) }
        }
        let before = try snapshot()
        var dry = try store.run(asOf: "2026-03-12T12:00:00Z", dryRun: true)
        #expect(try snapshot() == before)
        let real = try store.run(asOf: "2026-03-12T12:00:00Z")
        #expect(real.dryRun == false)
        dry.dryRun = false
        #expect(dry == real)
        #expect(try snapshot() != before)
    }

    @Test func twoRunsAtOnceDropEachDayOnceAndKeepTheHeldCalls() throws {
        try store.insertCalls(["2024-03-10T10:00:00Z", "2024-03-11T10:00:00Z", "2024-03-12T10:00:00Z"])
        try store.hold(identifiers: ["+46701234567"], from: "2024-03-11", to: "2024-03-12")
        let conninfo = store.conninfo
        let group = DispatchGroup()
        let failures = ResultBox()
        for _ in 0..<2 {
            DispatchQueue.global().async(group: group) {
                do {
                    let connection = try Connection(conninfo)
                    let report = try RetentionRunner(connection: connection).run(
                        asOf: Instant.parse("2026-03-20")!, now: Instant.parse("2030-01-01")!, dryRun: false)
                    failures.add(.success(report.days.count))
                } catch {
                    failures.add(.failure(error))
                }
            }
        }
        group.wait()
        let dropped = try failures.values.map { try $0.get() }.sorted()
        #expect(dropped == [0, 3])
        #expect(try store.count("SELECT count(*) FROM cdr.retention_log WHERE action = 'dropped'") == 3)
        #expect(try store.count("SELECT count(*) FROM cdr.preserved_call") == 1)
    }

    @Test func aRunDuringAnIngestLosesNoIngestedCall() throws {
        try store.insertCalls((10..<20).map { "2024-03-\($0)T10:00:00Z" })
        let folder = try TemporaryFolder()
        let file = try folder.write("Master.csv", StoreFixture.lines(0..<4000))
        let conninfo = store.conninfo
        let results = ResultBox()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            do {
                let summary = try Ingestor(
                    connect: { try Connection(conninfo) }, feed: "pbx1", settings: stockholmFeed, now: testNow,
                    batchRecords: 100
                ).ingest(path: file, clock: { 0 })
                results.add(.success(summary.ingested))
            } catch {
                results.add(.failure(error))
            }
        }
        DispatchQueue.global().async(group: group) {
            do {
                let connection = try Connection(conninfo)
                var dropped = 0
                for day in 11...20 {
                    dropped += try RetentionRunner(connection: connection).run(
                        asOf: Instant.parse("2026-03-\(day)")!, now: Instant.parse("2030-01-01")!, dryRun: false
                    ).days.count
                }
                results.add(.success(dropped))
            } catch {
                results.add(.failure(error))
            }
        }
        group.wait()
        let outcomes = try results.values.map { try $0.get() }.sorted()
        #expect(outcomes == [10, 4000])
        #expect(
            try store.count("SELECT count(*) FROM cdr.call WHERE feed = 'pbx1' AND start_time >= '2026-01-01'") == 4000)
        #expect(try store.count("SELECT count(*) FROM cdr.call WHERE start_time < '2025-01-01'") == 0)
    }

    @Test func holdsRefuseBadInput() throws {
        let holds = Holds(connection: store.connection)
        let normaliser = NumberNormaliser(countryCode: "46")
        let from = Instant.parse("2024-03-01")!
        let to = Instant.parse("2024-04-01")!
        let cases: [(() throws -> Void, String)] = [
            (
                {
                    _ = try holds.place(
                        kind: "legal", reason: "r", identifiers: ["1"], account: nil, from: to, to: from,
                        expires: nil, normaliser: normaliser)
                }, "--from must be before its --to"
            ),
            (
                {
                    _ = try holds.place(
                        kind: "legal", reason: "r", identifiers: [], account: nil, from: from, to: to,
                        expires: nil, normaliser: normaliser)
                }, "at least one --identifier or an --account"
            ),
            (
                {
                    _ = try holds.place(
                        kind: "legal", reason: "r", identifiers: ["  "], account: nil, from: from, to: to,
                        expires: nil, normaliser: normaliser)
                }, "normalises to nothing"
            ),
            ({ try holds.release(id: 999, reason: "r") }, "there is no hold 999"),
        ]
        for (action, message) in cases {
            let error = #expect(throws: StoreError.self) { try action() }
            #expect(
                error?.description.contains(message) == true, "\(error?.description ?? "no error") lacks '\(message)'")
        }
        let id = try store.hold(account: "acme", from: "2024-03-01", to: "2024-04-01")
        try holds.release(id: id, reason: "done")
        let twice = #expect(throws: StoreError.self) { try holds.release(id: id, reason: "again") }
        #expect(twice?.description.contains("was already released") == true)
        #expect(throws: StoreError.self) { try holds.extend(id: id, until: to) }
    }
}
