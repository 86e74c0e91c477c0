import CDRModel
import Postgres
import Store
import TestSupport
import Testing

/// How a day leaves `cdr.indexed_partition`: an ingest takes it off with its triggers before it
/// writes (one statement), anything else that stores into it runs the triggers, and a reader
/// holding the day only delays the first: the day then stays indexed, guarded by its triggers.
@Suite struct IndexedPartitionTests {
    private static let days = ("2026-03-01", "2026-03-02")

    @Test func anIngestUnwatchesTheDayItWritesAndAnyOtherWriteUnindexesThroughTheTriggers() throws {
        let store = try indexedStore()
        try store.connection.execute("SELECT cdr.ensure_partition($1::date)", [.text(Self.days.0)])
        #expect(try indexedDays(store) == Self.days.1)
        #expect(try triggers(store, on: Self.days.0) == 0)
        #expect(try triggers(store, on: Self.days.1) == 2)

        // A psql INSERT through cdr.call, without cdr.ensure_partition first.
        try store.connection.execute(
            """
            INSERT INTO cdr.call (start_time, end_time, duration_s, billable_s, source, destination, call_type,
                                  disposition, feed, record_hash)
            VALUES ('2026-03-02T11:00:00Z', '2026-03-02T11:01:00Z', 60, 60, '+46701', '+46702', 'voice', 'answered',
                    'psql', '\\x00112233445566778899aabbccddeeff')
            """)
        #expect(try indexedDays(store) == nil)
        #expect(try triggers(store, on: Self.days.1) == 2)

        let reindexed = try Partitions(connection: store.connection).indexDays(
            before: Instant.parse("2026-03-03")! / 86_400_000_000)
        #expect(reindexed.map(\.day) == [Self.days.0, Self.days.1])
        #expect(try indexedDays(store) == "\(Self.days.0) \(Self.days.1)")
        #expect(try triggers(store, on: Self.days.0) == 2)
    }

    @Test func aDayAReaderHoldsStaysIndexedWithItsTriggers() throws {
        let store = try indexedStore()
        let reader = try Connection(store.conninfo)
        try reader.execute("BEGIN")
        try reader.execute("SELECT count(*) FROM cdr.call_p20260301")
        try store.connection.execute("SELECT cdr.ensure_partition($1::date)", [.text(Self.days.0)])
        try reader.execute("ROLLBACK")
        #expect(try indexedDays(store) == "\(Self.days.0) \(Self.days.1)")
        #expect(try triggers(store, on: Self.days.0) == 2)
    }

    /// A store with a call on each of the two days, both indexed.
    private func indexedStore() throws -> RetentionFixture {
        let store = try RetentionFixture()
        try store.insertCalls(["\(Self.days.0)T10:00:00Z", "\(Self.days.1)T10:00:00Z"])
        _ = try Partitions(connection: store.connection).indexDays(
            before: Instant.parse("2026-03-03")! / 86_400_000_000)
        #expect(try indexedDays(store) == "\(Self.days.0) \(Self.days.1)")
        return store
    }

    /// The days `cdr.indexed_partition` lists, oldest first, or nil for none.
    private func indexedDays(_ store: RetentionFixture) throws -> String? {
        try store.connection.execute("SELECT string_agg(day::text, ' ' ORDER BY day) FROM cdr.indexed_partition")
            .scalar
    }

    /// How many of the index's triggers the partition of `day` has.
    private func triggers(_ store: RetentionFixture, on day: String) throws -> Int {
        Int(
            try store.connection.execute(
                """
                SELECT count(*) FROM pg_trigger
                WHERE tgrelid = to_regclass('cdr.' || cdr.partition_name($1::date)) AND tgname LIKE 'indexed_rows_%'
                """, [.text(day)]
            ).scalar!)!
    }
}
