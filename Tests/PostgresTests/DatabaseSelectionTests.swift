import Testing

@testable import Postgres

/// The order in which a command finds its database.
@Suite struct DatabaseSelectionTests {
    @Test func flagWinsOverEverything() {
        let selection = DatabaseSelection.resolve(
            flag: "postgresql://a/b", environment: ["DATABASE_URL": "x", "PGHOST": "h"], defaultHome: "/home")
        #expect(selection == .configured(conninfo: "postgresql://a/b", origin: "--db"))
    }

    @Test func databaseURLComesNext() {
        let selection = DatabaseSelection.resolve(
            flag: nil, environment: ["DATABASE_URL": "dbname=x", "PGHOST": "h"], defaultHome: "/home")
        #expect(selection == .configured(conninfo: "dbname=x", origin: "DATABASE_URL"))
    }

    @Test(arguments: ["PGHOST", "PGSERVICE"])
    func libpqVariablesAreUsedWhenHostOrServiceIsSet(variable: String) {
        let selection = DatabaseSelection.resolve(flag: nil, environment: [variable: "x"], defaultHome: "/home")
        #expect(selection == .configured(conninfo: "", origin: "PG* environment variables"))
    }

    @Test func otherwiseTheEmbeddedClusterUnderCDRSTOREHOMEOrTheDefault() {
        #expect(
            DatabaseSelection.resolve(flag: nil, environment: ["PGUSER": "u"], defaultHome: "/home")
                == .embedded(home: "/home"))
        #expect(
            DatabaseSelection.resolve(flag: nil, environment: ["CDRSTORE_HOME": "/data"], defaultHome: "/home")
                == .embedded(home: "/data"))
    }
}
