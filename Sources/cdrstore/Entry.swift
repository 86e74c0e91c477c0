import ArgumentParser
import Feeds
import Foundation
import Postgres
import Server
import Store

/// The `cdrstore` command: parses arguments and hands the work to the library.
@main
struct CDRStore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cdrstore",
        abstract: "A retention store for IP-telephony call detail records, on PostgreSQL.",
        subcommands: [
            DemoCommand.self, MigrateCommand.self, IngestCommand.self, PartitionsCommand.self, RejectsCommand.self,
            RetentionCommand.self, HoldCommand.self, StatsCommand.self, ParseCommand.self, GenerateCommand.self,
            EmbeddedCommand.self, ServeCommand.self, TariffCommand.self, AccountCommand.self, BillCommand.self,
            InvoiceCommand.self, RolesCommand.self, GrantCommand.self, RequestCommand.self, LookupCommand.self,
            AuditCommand.self, SubjectExportCommand.self,
        ])

    /// Runs the command (`serve` asynchronously, the others on this thread); a failure of the work
    /// itself becomes one line on stderr and exit code 1.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let error as ExitCode {
            exit(withError: error)
        } catch let error as any CustomStringConvertible & Error where isOperationalError(error) {
            Output.errorLine("cdrstore: \(error.description)\(roleHint(error))")
            Foundation.exit(1)
        } catch {
            exit(withError: error)
        }
    }

    /// For a refusal by the database's grants: which roles exist and who is in them.
    private static func roleHint(_ error: any Error) -> String {
        guard let error = error as? PostgresError, error.sqlState == "42501",
            error.message.hasPrefix("permission denied")
        else { return "" }
        return "; this login is not in a cdrstore role that may do this (cdrstore roles list shows who is in which)"
    }

    private static func isOperationalError(_ error: any Error) -> Bool {
        error is StoreError || error is PostgresError || error is FeedSettingsError || error is FeedReadError
            || error is EmbeddedClusterError || error is CLIError || error is ConfigurationError
    }
}

/// A command-line failure as one plain sentence.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
