import Foundation
import TestSupport
import Testing

/// `cdrstore retention`, `hold` and `stats` as an operator runs them.
@Suite struct RetentionCLITests {
    let conninfo: String
    init() throws { conninfo = try TestDatabase.createMigrated(prefix: "retcli") }

    private func run(_ arguments: [String]) throws -> CLIRunner.Result {
        try CLIRunner.run(arguments + ["--db", conninfo])
    }

    @Test func policyShowsAndChangesOnlyWithinTheLimitsWithoutTheOverride() throws {
        let shown = try run(["retention", "policy"])
        #expect(shown.status == 0)
        #expect(shown.stdout.contains("ceiling: 24 months"))
        #expect(shown.stdout.contains("floor:   6 months"))
        let refused = try run(["retention", "policy", "--ceiling-months", "121"])
        #expect(refused.status == 1)
        #expect(refused.stderr == "cdrstore: a ceiling over 120 months needs --i-know (the change is logged)\n")
        let forced = try run(["retention", "policy", "--ceiling-months", "121", "--i-know"])
        #expect(forced.status == 0)
        #expect(forced.stdout.contains("policy changed (with --i-know, logged)"))
        #expect(forced.stdout.contains("ceiling: 121 months"))
    }

    @Test func runRefusesBadMomentsInOneSentence() throws {
        let garbled = try run(["retention", "run", "--as-of", "next tuesday"])
        #expect(garbled.status == 1)
        #expect(garbled.stderr.hasPrefix("cdrstore: --as-of 'next tuesday' is not a date or time"))
        let ahead = try run(["retention", "run", "--as-of", "2099-01-01"])
        #expect(ahead.status == 1)
        #expect(ahead.stderr.contains("more than a day ahead of the clock"))
    }

    @Test func holdsAreListedReleasedOnceAndShownInADryRun() throws {
        let placed = try run([
            "hold", "place", "--reason", "case B 1234-26", "--identifier", "0701234567", "--country-code", "46",
            "--from", "2024-01-01", "--to", "2024-07-01",
        ])
        #expect(placed.status == 0)
        #expect(placed.stdout == "placed hold 1\n")
        let listed = try run(["hold", "list", "--active", "--json"])
        let hold = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any]
        #expect(hold?["identifiers"] as? [String] == ["+46701234567"])
        #expect(hold?["active"] as? Bool == true)
        #expect(hold?["from"] as? String == "2024-01-01T00:00:00Z")
        let dry = try run(["retention", "run", "--dry-run", "--as-of", "2026-03-01T00:00:00Z", "--json"])
        #expect(dry.status == 0)
        let report = try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any]
        #expect(report?["dry_run"] as? Bool == true)
        #expect(report?["cutoff"] as? String == "2024-03-01T00:00:00Z")
        #expect(try run(["hold", "release", "1", "--reason", "case closed"]).stdout == "released hold 1\n")
        let again = try run(["hold", "release", "1", "--reason", "again"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("hold 1 was already released at "))
        let unknown = try run(["hold", "extend", "7", "--until", "2027-01-01"])
        #expect(unknown.stderr == "cdrstore: there is no hold 7; see cdrstore hold list\n")
        let backwards = try run([
            "hold", "place", "--reason", "r", "--account", "acme", "--from", "2024-07-01", "--to", "2024-01-01",
        ])
        #expect(backwards.stderr == "cdrstore: the hold's --from must be before its --to\n")
    }

    @Test func statsRefusesABadDate() throws {
        let result = try run(["stats", "--from", "2024-13-01", "--to", "2024-12-31"])
        #expect(result.status == 1)
        #expect(result.stderr == "cdrstore: --from '2024-13-01' is not a date YYYY-MM-DD\n")
        #expect(try run(["stats", "--from", "2024-01-01", "--to", "2024-12-31"]).stdout == TextOf.emptyStats)
    }
}

/// Expected outputs.
enum TextOf {
    /// `stats` over days with no statistics.
    static let emptyStats = """
        day  call_type  disposition  direction  destination  calls  total_seconds  billable_seconds
        ---  ---------  -----------  ---------  -----------  -----  -------------  ----------------
        0 rows

        """
}
