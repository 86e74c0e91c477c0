import Foundation
import TestSupport
import Testing

/// The built `cdrstore` binary, run as an operator would: output, exit codes, messages.
@Suite struct CLITests {
    let folder: TemporaryFolder
    init() throws { folder = try TemporaryFolder() }

    @Test func parsePrintsCanonicalRecordsAndRejects() throws {
        let file = try folder.write(
            "Master.csv",
            AsteriskLine.make(
                account: "acme", source: "0701234567", destination: "0046812345678", start: "2026-10-11 14:03:27",
                answer: "2026-10-11 14:03:30", end: "2026-10-11 14:05:30", duration: "123", billsec: "120",
                uniqueID: "1760184207.42")
                + "\"only\",\"three\",\"columns\"\n")
        let result = try CLIRunner.run([
            "parse", "--format", "asterisk-csv", "--tz", "Europe/Stockholm", "--country-code", "46", file,
        ])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(
            lines.first
                == #"{"start_time":"2026-10-11T12:03:27Z","answer_time":"2026-10-11T12:03:30Z","end_time":"2026-10-11T12:05:30Z","duration_s":123,"billable_s":120,"source":"+46701234567","destination":"+46812345678","source_ip":null,"call_type":"voice","disposition":"answered","equipment":"SIP/alice","account":"acme","record_key":"1760184207.42","linked_key":null}"#
        )
        let firstLineBytes = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")[0].utf8.count + 1
        #expect(
            lines.last
                == #"{"reject":"expected 16 to 21 columns (Asterisk cdr_csv with or without uniqueid, userfield and newcdrcolumns), found 3","position":{"offset":"#
                + "\(firstLineBytes)" + #","line":2},"raw":"\"only\",\"three\",\"columns\""}"#)
    }

    /// An unreachable database: a check that fails before connecting must not need one.
    static let noDatabase = ["--db", "host=/nonexistent-socket-dir connect_timeout=2"]

    @Test(arguments: [
        (
            ["ingest", "--feed", "f", "--format", "bogus", "x.csv"] + noDatabase,
            "unknown format 'bogus'; the formats are: asterisk-csv"
        ),
        (
            ["ingest", "--feed", "f", "--format", "asterisk-csv", "--tz", "Mars/Olympus", "x.csv"] + noDatabase,
            "unknown time zone 'Mars/Olympus'"
        ),
        (
            ["parse", "--format", "asterisk-csv", "/nonexistent/Master.csv"],
            "there is no file /nonexistent/Master.csv"
        ),
        (
            ["ingest", "--feed", "f", "--format", "asterisk-csv", "/nonexistent/Master.csv"] + noDatabase,
            "there is no file /nonexistent/Master.csv"
        ),
        (
            ["ingest", "--feed", "bad feed!", "--format", "asterisk-csv", "x.csv"] + noDatabase,
            "feed name 'bad feed!' must be 1 to 64 letters, digits, '-', '_' or '.'"
        ),
    ])
    func badInputIsOnePlainSentenceAndExitCodeOne(arguments: [String], message: String) throws {
        let result = try CLIRunner.run(arguments)
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("cdrstore: ") == true)
        #expect(result.stderr.contains(message))
    }

    @Test func anUnreachableDatabaseIsNamedWithWhereTheSettingCameFrom() throws {
        let file = try folder.write("Master.csv", AsteriskLine.make())
        let result = try CLIRunner.run(
            ["ingest", "--feed", "f", "--format", "asterisk-csv", file],
            environment: ["DATABASE_URL": "host=/nonexistent-socket-dir connect_timeout=2"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("cdrstore: cannot connect to the database given by DATABASE_URL: "))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func aDatabaseWithoutTheSchemaSaysRunMigrate() throws {
        let conninfo = try TestDatabase.createEmpty(prefix: "cli")
        let file = try folder.write("Master.csv", AsteriskLine.make())
        let result = try CLIRunner.run(["ingest", "--db", conninfo, "--feed", "f", "--format", "asterisk-csv", file])
        #expect(result.status == 1)
        #expect(result.stderr.contains("run cdrstore migrate"))
        let migrated = try CLIRunner.run(["migrate", "--db", conninfo])
        #expect(migrated.status == 0)
        #expect(
            migrated.stdout
                == "applied 001_schema.sql, 002_retention.sql, 003_call_legs.sql, 004_billing.sql, 005_lawful_access.sql, "
                + "006_commit_before_disclose.sql, 007_identifier_days.sql, 008_held_results.sql, 009_indexed_partitions.sql, "
                + "010_hold_covers.sql, 011_hold_in_force.sql; schema is at version 11\n"
        )
        #expect(try CLIRunner.run(["migrate", "--db", conninfo]).stdout == "schema is up to date (version 11)\n")
    }

    @Test func theDistributedFormIsRefusedInOneSentenceOnAServerWithoutCitus() throws {
        let conninfo = try TestDatabase.createEmpty(prefix: "cli")
        let result = try CLIRunner.run(["migrate", "--citus", "--db", conninfo])
        #expect(result.status == 1)
        #expect(
            result.stderr.hasPrefix(
                "cdrstore: this database is not on a Citus coordinator: it has no citus extension"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stdout.isEmpty)
        // Nothing was applied: the single-node schema is still to come.
        #expect(try CLIRunner.run(["migrate", "--db", conninfo]).stdout.hasPrefix("applied 001_schema.sql"))
    }

    @Test func anUnknownFlagIsRefusedByTheArgumentParser() throws {
        let result = try CLIRunner.run(["ingest", "--no-such-flag"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("Error:"))
    }

    @Test func ingestJSONSummaryCountsExactly() throws {
        let conninfo = try TestDatabase.createMigrated(prefix: "cli")
        let generated = folder.path + "/Master.csv"
        let today = Int(Date().timeIntervalSince1970 / 86_400)
        let endDay = String(
            ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(today) * 86_400)).prefix(10))
        let generate = try CLIRunner.run([
            "generate", "--calls", "500", "--days", "2", "--accounts", "10", "--seed", "3", "--end", endDay, "--out",
            generated,
        ])
        #expect(generate.status == 0)
        try folder.append("Master.csv", "not,a,cdr\n")
        let arguments = [
            "ingest", "--db", conninfo, "--feed", "pbx1", "--format", "asterisk-csv", "--tz", "Europe/Stockholm",
            "--country-code", "46", "--json", generated,
        ]
        let first = try CLIRunner.run(arguments)
        #expect(first.status == 0)
        let summary = try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any]
        #expect(summary?["records"] as? Int == 501)
        #expect(summary?["ingested"] as? Int == 500)
        #expect(summary?["duplicates"] as? Int == 0)
        #expect(summary?["rejected"] as? Int == 1)
        #expect(summary?["seconds"] is Double)
        let second =
            try JSONSerialization.jsonObject(with: Data(try CLIRunner.run(arguments).stdout.utf8))
            as? [String: Any]
        #expect(second?["records"] as? Int == 0)
        #expect(second?["ingested"] as? Int == 0)
        let rejects = try CLIRunner.run(["rejects", "list", "--db", conninfo, "--feed", "pbx1"])
        #expect(rejects.stdout.contains("reason: expected 16 to 21 columns"))
        #expect(rejects.stdout.contains("raw:    not,a,cdr"))
        #expect(rejects.stdout.contains("line 501"))
    }
}
