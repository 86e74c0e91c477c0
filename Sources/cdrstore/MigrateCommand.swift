import ArgumentParser
import Store

/// `cdrstore migrate`: create or upgrade the schema.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Create or upgrade the schema (idempotent).")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let connection = try database.connect()
        let applied = try Migrator(connection: connection).migrate()
        if applied.isEmpty {
            Output.line("schema is up to date (version \(Migrator.latestVersion))")
        } else {
            Output.line("applied \(applied.joined(separator: ", ")); schema is at version \(Migrator.latestVersion)")
        }
        Output.flush()
    }
}
