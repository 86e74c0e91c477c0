import ArgumentParser
import Store

/// `cdrstore migrate`: create or upgrade the schema.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Create or upgrade the schema (idempotent).")

    @OptionGroup var database: DatabaseOptions
    @Flag(
        help:
            "On a Citus coordinator: then turn the schema into its distributed form (see the README's Scaling out on Citus)."
    )
    var citus = false

    func run() throws {
        let connection = try database.connect()
        let (applied, distributed) = try Migrator(connection: connection).upgrade(citus: citus)
        if applied.isEmpty {
            Output.line("schema is up to date (version \(Migrator.latestVersion))")
        } else {
            Output.line("applied \(applied.joined(separator: ", ")); schema is at version \(Migrator.latestVersion)")
        }
        if distributed { Output.line("the schema is in its distributed form on this Citus coordinator") }
        Output.flush()
    }
}
