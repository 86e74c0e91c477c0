import ArgumentParser
import Store

/// `cdrstore roles`: the group roles PostgreSQL enforces.
struct RolesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roles", abstract: "Create the cdrstore group roles and their grants, or list who holds them.",
        subcommands: [Setup.self, List.self])

    /// `roles setup`.
    struct Setup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "setup",
            abstract: "Create the five group roles and apply their grants (idempotent; run as a superuser).")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let connection = try database.connectToCurrentSchema()
            try Roles(connection: connection).setup()
            for role in Roles.all { Output.line("\(role.name): \(role.purpose)") }
            Output.line("roles and grants are in place; add logins with cdrstore grant LOGIN ROLE")
            Output.flush()
        }
    }

    /// `roles list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the logins in each cdrstore role.")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let connection = try database.connectToCurrentSchema()
            let members = try Roles(connection: connection).members()
            Output.line(
                TextTable.render(
                    headers: ["login", "roles"], rows: members.map { [$0.login, $0.roles.joined(separator: " ")] }))
            Output.flush()
        }
    }
}

/// `cdrstore grant LOGIN ROLE`: adds a login to a cdrstore role.
struct GrantCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant",
        abstract: "Add a database login to a cdrstore role (creating the login without a password if it is new).")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The database login (the person).") var login: String
    @Argument(help: "cdrstore_ingest, cdrstore_billing, cdrstore_officer, cdrstore_auditor or cdrstore_admin.")
    var role: String

    func run() throws {
        let connection = try database.connectToCurrentSchema()
        let created = try Roles(connection: connection).grant(login: login, role: role)
        if created { Output.line("created login \(login) (no password: set one with ALTER ROLE … PASSWORD)") }
        Output.line("\(login) is in \(role)")
        Output.flush()
    }
}
