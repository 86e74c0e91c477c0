/// Which server a command talks to, chosen the same way for every command.
public enum DatabaseSelection: Sendable, Equatable {
    /// A server the user configured, with the place the setting came from (`--db`, `DATABASE_URL`, `PG*`).
    case configured(conninfo: String, origin: String)
    /// The private cluster under `home` that cdrstore creates and starts itself.
    case embedded(home: String)

    /// Picks `--db`, else `DATABASE_URL`, else libpq's `PG*` variables when `PGHOST` or
    /// `PGSERVICE` is set, else the embedded cluster under `CDRSTORE_HOME` or the default home.
    public static func resolve(flag: String?, environment: [String: String], defaultHome: String) -> DatabaseSelection {
        if let flag, !flag.isEmpty { return .configured(conninfo: flag, origin: "--db") }
        if let url = environment["DATABASE_URL"], !url.isEmpty {
            return .configured(conninfo: url, origin: "DATABASE_URL")
        }
        if environment["PGHOST"].map({ !$0.isEmpty }) == true || environment["PGSERVICE"].map({ !$0.isEmpty }) == true {
            return .configured(conninfo: "", origin: "PG* environment variables")
        }
        let home = environment["CDRSTORE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultHome
        return .embedded(home: home)
    }
}
