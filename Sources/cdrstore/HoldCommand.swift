import ArgumentParser
import CDRModel
import Feeds
import Store

/// `cdrstore hold`: legal and billing holds.
struct HoldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hold", abstract: "Place, list, extend or release holds that keep calls past the ceiling.",
        subcommands: [Place.self, List.self, Extend.self, Release.self])

    /// `hold place`.
    struct Place: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "place", abstract: "Place a hold on calls of identifiers or an account.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Why (a case or invoice reference).") var reason: String
        @Option(help: "A number, SIP URI or IP address; repeat for several.") var identifier: [String] = []
        @Option(help: "An account.") var account: String?
        @Option(help: "Start of the window of call start times (inclusive).") var from: String
        @Option(help: "End of the window (exclusive).") var to: String
        @Option(help: "When the hold lapses by itself.") var expires: String?
        @Option(help: "legal or billing.") var kind = "legal"
        @Option(help: "Country calling code for national numbers, as the feeds use.") var countryCode: String?

        func run() throws {
            let window = (try TimeOption.parse(from, flag: "--from"), try TimeOption.parse(to, flag: "--to"))
            let expiry = try expires.map { try TimeOption.parse($0, flag: "--expires") }
            let connection = try database.connectToCurrentSchema()
            let id = try Holds(connection: connection).place(
                kind: kind, reason: reason, identifiers: identifier, account: account, from: window.0, to: window.1,
                expires: expiry, normaliser: NumberNormaliser(countryCode: countryCode))
            Output.line("placed hold \(id)")
            Output.flush()
        }
    }

    /// `hold list [--active]`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List holds, newest first.")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Only holds in force now.") var active = false
        @Flag(help: "One JSON object per hold.") var json = false

        func run() throws {
            let now = WallClock.nowMicroseconds()
            let connection = try database.connectToCurrentSchema()
            let holds = try Holds(connection: connection).list(activeAt: active ? now : nil, now: now)
            for hold in holds {
                if json {
                    var writer = JSONObjectWriter()
                    writer.add("id", Int(hold.id))
                    writer.add("kind", hold.kind)
                    writer.add("reason", hold.reason)
                    writer.addRaw(
                        "identifiers", "[" + hold.identifiers.map(JSONObjectWriter.quoted).joined(separator: ",") + "]")
                    writer.add("account", hold.account)
                    writer.add("from", hold.from)
                    writer.add("to", hold.to)
                    writer.add("expires_at", hold.expiresAt)
                    writer.add("placed_by", hold.placedBy)
                    writer.add("placed_at", hold.placedAt)
                    writer.add("released", hold.released)
                    writer.add("active", hold.active)
                    Output.line(writer.finish())
                } else {
                    let covers = (hold.identifiers + (hold.account.map { ["account \($0)"] } ?? [])).joined(
                        separator: ", ")
                    Output.line(
                        "#\(hold.id) \(hold.kind) \(hold.active ? "active" : "inactive"): \(covers) from \(hold.from) to \(hold.to)"
                            + (hold.expiresAt.map { ", expires \($0)" } ?? ""))
                    Output.line("  reason: \(hold.reason); placed by \(hold.placedBy) at \(hold.placedAt)")
                    if let released = hold.released { Output.line("  released \(released)") }
                }
            }
            if !json { Output.line("\(holds.count) hold\(holds.count == 1 ? "" : "s")") }
            Output.flush()
        }
    }

    /// `hold extend ID --until T`.
    struct Extend: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "extend", abstract: "Move a hold's expiry.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The hold's id.") var id: Int64
        @Option(help: "The new expiry.") var until: String

        func run() throws {
            let moment = try TimeOption.parse(until, flag: "--until")
            let connection = try database.connectToCurrentSchema()
            try Holds(connection: connection).extend(id: id, until: moment)
            Output.line("hold \(id) now expires at \(until)")
            Output.flush()
        }
    }

    /// `hold release ID --reason R`.
    struct Release: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "release",
            abstract: "Release a hold; what it alone kept goes at the next run.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The hold's id.") var id: Int64
        @Option(help: "Why it is released.") var reason: String

        func run() throws {
            let connection = try database.connectToCurrentSchema()
            try Holds(connection: connection).release(id: id, reason: reason)
            Output.line("released hold \(id)")
            Output.flush()
        }
    }
}
