import Postgres
import Store
import TestSupport
import Testing

/// `cdrstore migrate`: idempotent, recorded, and guarded against edited files.
@Suite struct MigratorTests {
    @Test func migratingTwiceAppliesEverythingOnceAndThenNothing() throws {
        let connection = try Connection(try TestDatabase.createEmpty(prefix: "mig"))
        let first = try Migrator(connection: connection).migrate()
        #expect(first == ["001_schema.sql"])
        #expect(try Migrator(connection: connection).migrate().isEmpty)
        let recorded = try connection.execute("SELECT version, name FROM cdr.schema_migration ORDER BY version")
        #expect(recorded.rows == [["1", "001_schema.sql"]])
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

    @Test func settingsHoldTheDefaultRetention() throws {
        let connection = try Connection(try TestDatabase.createMigrated(prefix: "mig"))
        let settings = try StoreSettings.load(from: connection)
        #expect(settings == StoreSettings(retentionCeilingMonths: 24, retentionFloorMonths: 6))
    }
}
