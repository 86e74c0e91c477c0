import Foundation
import Postgres
import TestSupport
import Testing

/// `kill -9` at any moment, then the same command again: the table holds exactly the file's records, each once.
@Suite struct KillNineTests {
    @Test func interruptedIngestsLeaveExactlyTheRecordsOfTheFile() throws {
        let folder = try TemporaryFolder()
        let conninfo = try TestDatabase.createMigrated(prefix: "kill")
        let file = folder.path + "/Master.csv"
        let calls = 60_000
        let today = Int(Date().timeIntervalSince1970 / 86_400)
        let endDay = String(
            ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(today) * 86_400)).prefix(10))
        let generated = try CLIRunner.run([
            "generate", "--calls", String(calls), "--days", "5", "--accounts", "50", "--seed", "11", "--end", endDay,
            "--out", file,
        ])
        try #require(generated.status == 0, "generate failed: \(generated.stderr)")
        let expectedKeys = try expectedRecordKeys(file)
        #expect(expectedKeys.count == calls)

        let ingest = [
            "ingest", "--db", conninfo, "--feed", "pbx1", "--format", "asterisk-csv", "--tz", "Europe/Stockholm",
            "--country-code", "46", "--batch-size", "1000", "--json", file,
        ]
        let connection = try Connection(conninfo)
        let killedWithRowsStored = try CLIRunner.killRepeatedly(
            ingest, delay: 0.15, step: 0.1, total: calls, on: connection)
        #expect(killedWithRowsStored >= 2, "the kills should interrupt ingests that had committed part of the file")

        let last = try CLIRunner.run(ingest)
        #expect(last.status == 0, "final ingest failed: \(last.stderr)")
        let stored = try connection.execute(
            "SELECT record_key, count(*) FROM cdr.call WHERE feed = 'pbx1' GROUP BY record_key ORDER BY record_key")
        #expect(stored.rows.count == calls)
        #expect(stored.rows.allSatisfy { $0[1] == "1" })
        #expect(stored.rows.map { $0[0] ?? "" } == expectedKeys)
        let ledger = try connection.execute("SELECT committed_offset FROM cdr.ingest_ledger WHERE feed = 'pbx1'")
        let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int
        #expect(ledger.rows == [[size.map(String.init)]])
    }

    /// The record keys of the file as `cdrstore parse` reads them, sorted as PostgreSQL's "C" collation sorts them.
    private func expectedRecordKeys(_ file: String) throws -> [String] {
        let parsed = try CLIRunner.run(["parse", "--format", "asterisk-csv", "--tz", "Europe/Stockholm", file])
        return try parsed.stdout.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["record_key"] as? String ?? "missing"
        }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }
}
