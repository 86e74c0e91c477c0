import CDRModel
import Foundation
import Postgres
import Schema
import Store
import TestSupport
import Testing

/// `cdrstore migrate`: idempotent, recorded, and guarded against edited files.
@Suite struct MigratorTests {
    @Test func migratingTwiceAppliesEverythingOnceAndThenNothing() throws {
        let connection = try Connection(try TestDatabase.createEmpty(prefix: "mig"))
        let first = try Migrator(connection: connection).migrate()
        #expect(
            first == [
                "001_schema.sql", "002_retention.sql", "003_call_legs.sql", "004_billing.sql", "005_lawful_access.sql",
                "006_commit_before_disclose.sql", "007_identifier_days.sql", "008_held_results.sql",
                "009_indexed_partitions.sql", "010_hold_covers.sql", "011_hold_in_force.sql",
            ])
        #expect(try Migrator(connection: connection).migrate().isEmpty)
        let recorded = try connection.execute("SELECT version, name FROM cdr.schema_migration ORDER BY version")
        #expect(
            recorded.rows == [
                ["1", "001_schema.sql"], ["2", "002_retention.sql"], ["3", "003_call_legs.sql"],
                ["4", "004_billing.sql"], ["5", "005_lawful_access.sql"], ["6", "006_commit_before_disclose.sql"],
                ["7", "007_identifier_days.sql"], ["8", "008_held_results.sql"], ["9", "009_indexed_partitions.sql"],
                ["10", "010_hold_covers.sql"], ["11", "011_hold_in_force.sql"],
            ])
        try Migrator(connection: connection).requireCurrentSchema()
    }

    @Test func anEmptyDatabaseSaysRunMigrate() throws {
        let connection = try Connection(try TestDatabase.createEmpty(prefix: "mig"))
        let error = #expect(throws: StoreError.self) { try Migrator(connection: connection).requireCurrentSchema() }
        #expect(error?.description.contains("run cdrstore migrate") == true)
    }

    @Test func aMigrationChangedAfterItWasAppliedIsRefused() throws {
        let connection = try Connection(try TestDatabase.createMigrated(prefix: "mig"))
        try connection.execute("UPDATE cdr.schema_migration SET sha256 = 'edited' WHERE version = 1")
        let error = #expect(throws: StoreError.self) { try Migrator(connection: connection).migrate() }
        #expect(error?.description.contains("001_schema.sql was changed after it was applied") == true)
    }

    /// A store whose days were indexed under schema 8 keeps them indexed through
    /// 009_indexed_partitions.sql, and a later change to one of them has it searched in full again
    /// until it is indexed anew.
    @Test func daysIndexedUnderSchema8StayIndexedUntilTheirCallsChange() throws {
        let conninfo = try TestDatabase.createEmpty(prefix: "mig")
        let connection = try Connection(conninfo)
        try connection.executeScript(
            "CREATE SCHEMA cdr; CREATE TABLE cdr.schema_migration (version integer PRIMARY KEY, name text, sha256 text)"
        )
        for migration in SchemaFiles.migrations where migration.version <= 8 {
            try connection.executeScript(migration.sql)
            try connection.execute(
                "INSERT INTO cdr.schema_migration VALUES ($1, $2, $3)",
                [
                    .text(String(migration.version)), .text(migration.name),
                    .text(SHA256Digest.hex(SHA256Digest.of(Array(migration.sql.utf8)))),
                ])
        }
        let store = try RetentionFixture(conninfo: conninfo)
        try store.insertCalls(["2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z", "2026-03-03T10:00:00Z"])
        try connection.execute("SELECT cdr.index_day('2026-03-01'), cdr.index_day('2026-03-02')")

        #expect(
            try Migrator(connection: connection).migrate() == [
                "009_indexed_partitions.sql", "010_hold_covers.sql", "011_hold_in_force.sql",
            ])
        let indexed = "SELECT string_agg(day::text, ' ' ORDER BY day) FROM cdr.indexed_partition"
        let unindexed = "SELECT string_agg(day::text, ' ' ORDER BY day) FROM cdr.unindexed_partition"
        #expect(try connection.execute(indexed).scalar == "2026-03-01 2026-03-02")
        #expect(try connection.execute(unindexed).scalar == "2026-03-03")
        try connection.execute("UPDATE cdr.call SET source = '+46700000009' WHERE start_time < '2026-03-02'")
        #expect(try connection.execute(indexed).scalar == "2026-03-02")
        #expect(try connection.execute(unindexed).scalar == "2026-03-01 2026-03-03")
        let reindexed = try Partitions(connection: connection).indexDays(
            before: Instant.parse("2026-03-04")! / 86_400_000_000)
        #expect(reindexed.map(\.day) == ["2026-03-01", "2026-03-03"])
        #expect(try connection.execute(indexed).scalar == "2026-03-01 2026-03-02 2026-03-03")
        #expect(
            try connection.execute("SELECT count(*) FROM cdr.identifier_day WHERE identifier = '+46700000009'").scalar
                == "1")
    }

    @Test func settingsHoldTheDefaultRetention() throws {
        let connection = try Connection(try TestDatabase.createMigrated(prefix: "mig"))
        let policy = try RetentionPolicy.load(from: connection)
        #expect(policy == RetentionPolicy(ceilingMonths: 24, floorMonths: 6, zone: "UTC"))
    }
}

/// The embedded migration list and the `sql/` folder agree.
@Suite struct SchemaFilesTests {
    @Test func everySQLFileIsEmbeddedInOrder() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("sql").path
        let sqlFiles = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".sql") }
        let files = sqlFiles.filter { $0.first?.isNumber == true }.sorted()
        #expect(Set(sqlFiles).subtracting(files) == ["roles.sql", "citus.sql"])
        #expect(SchemaFiles.roles == (try String(contentsOfFile: folder + "/roles.sql", encoding: .utf8)))
        #expect(SchemaFiles.citus == (try String(contentsOfFile: folder + "/citus.sql", encoding: .utf8)))
        #expect(SchemaFiles.migrations.map(\.name) == files)
        #expect(SchemaFiles.migrations.map(\.version) == Array(1...files.count))
        for migration in SchemaFiles.migrations {
            let text = try String(contentsOfFile: folder + "/" + migration.name, encoding: .utf8)
            #expect(migration.sql == text, "\(migration.name) differs from the embedded copy")
        }
    }
}
