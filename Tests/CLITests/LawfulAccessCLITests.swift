import CDRModel
import Foundation
import Postgres
import TestSupport
import Testing

/// The lawful-access commands end to end on an embedded default of their own, with real logins
/// chosen by `PGUSER`, as an operator would run them.
@Suite struct LawfulAccessCLITests {
    /// A private embedded cluster under a temporary home, with October 2026 calls of +46701234567.
    final class Store: @unchecked Sendable {
        let folder: TemporaryFolder
        let home: String

        init() throws {
            folder = try TemporaryFolder()
            home = folder.path + "/home"
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
            let lines = [
                AsteriskLine.make(
                    start: "2026-10-11 14:03:27", answer: "2026-10-11 14:03:30", end: "2026-10-11 14:05:30",
                    uniqueID: "1.1"),
                AsteriskLine.make(
                    start: "2026-10-12 09:00:00", answer: nil, end: "2026-10-12 09:00:20", duration: "20", billsec: "0",
                    disposition: "NO ANSWER", uniqueID: "1.2"),
                AsteriskLine.make(
                    source: "0812345678", destination: "0701234567", start: "2026-10-13 18:30:00",
                    answer: "2026-10-13 18:30:05", end: "2026-10-13 18:31:05", duration: "65", billsec: "60",
                    uniqueID: "1.3"),
                AsteriskLine.make(source: "0811111111", destination: "0822222222", uniqueID: "1.4"),
            ]
            let file = try folder.write("Master.csv", lines.joined())
            try expectSuccess(run(["migrate"]))
            try expectSuccess(
                run(["ingest", "--feed", "pbx", "--format", "asterisk-csv", "--country-code", "46", file]))
            try expectSuccess(run(["roles", "setup"]))
        }

        deinit { _ = try? run(["embedded", "stop"]) }

        /// Runs cdrstore on this store's embedded cluster, as `login` (the superuser when nil).
        func run(_ arguments: [String], as login: String? = nil) throws -> CLIRunner.Result {
            var environment = ["CDRSTORE_HOME": home]
            if let login { environment["PGUSER"] = login }
            return try CLIRunner.run(arguments, environment: environment)
        }

        /// A superuser connection to the store's database.
        func superuser() throws -> Connection { try Connection(EmbeddedCluster(home: home).conninfo()) }

        private func expectSuccess(_ result: CLIRunner.Result) throws {
            guard result.status == 0 else { throw SetUpFailure(description: "set-up failed: \(result.stderr)") }
        }
    }

    private static let request = [
        "request", "create", "--country", "SE", "--authority", "Polismyndigheten", "--number", "2026-000123",
        "--legal-basis", "RB27_19", "--decision-by", "court", "--decision-ref", "B 1234-26", "--authorised-from",
        "2026-10-01", "--authorised-to", "2026-10-31", "--identifier", "0701234567", "--country-code", "46",
    ]

    @Test func twoOfficersAnAuditorAndAnExportTheAuditEntryVouchesFor() throws {
        let store = try Store()
        let suffix = String(UInt32.random(in: 0...UInt32.max))
        let (alice, bob, carol, dave, erin) = (
            "alice\(suffix)", "bob\(suffix)", "carol\(suffix)", "dave\(suffix)", "erin\(suffix)"
        )
        for (login, role) in [
            (alice, "officer"), (bob, "officer"), (carol, "auditor"), (dave, "billing"), (erin, "admin"),
        ] {
            #expect(try store.run(["grant", login, "cdrstore_\(role)"]).status == 0)
        }
        let officerSetting = try store.superuser().execute(
            """
            SELECT array_to_string(s.setconfig, ',') FROM pg_db_role_setting AS s JOIN pg_roles AS r ON r.oid = s.setrole
            WHERE r.rolname = $1
            """, [.text(alice)]
        ).scalar
        #expect(officerSetting == "idle_in_transaction_session_timeout=5s")
        let clash = try store.run(["grant", carol, "cdrstore_officer"])
        #expect(clash.status == 1 && clash.stderr.contains("cannot also be in cdrstore_officer"))

        let preserveUntil = CanonicalJSONTime.daysFromNow(30)
        let created = try store.run(Self.request + ["--preserve-until", preserveUntil], as: alice)
        #expect(created.status == 0 && created.stdout.contains("registered legal request 1"), "\(created.stderr)")
        #expect(try store.run(Self.request, as: bob).stdout.contains("legal request 1 exists already"))
        let early = try store.run(["lookup", "--request", "1", "--identifier", "+46701234567"], as: alice)
        #expect(early.status == 1 && early.stderr.contains("is not approved yet"))
        let selfApproval = try store.run(["request", "approve", "1"], as: alice)
        #expect(selfApproval.status == 1 && selfApproval.stderr.contains("four-eyes rule"))
        #expect(try store.run(["request", "approve", "1"], as: bob).status == 0)

        let out = store.folder.path + "/request-1.xml"
        let lookup = try store.run(
            [
                "lookup", "--request", "1", "--identifier", "070-123 45 67", "--country-code", "46", "--from",
                "2026-01-01",
                "--format", "etsi-xml", "--out", out, "--csp-id", "Example Telecom AB",
            ], as: alice)
        #expect(lookup.status == 0, "\(lookup.stderr)")
        #expect(lookup.stdout.contains("3 calls of +46701234567") && lookup.stdout.contains("clipped"))
        let xml = try Data(contentsOf: URL(fileURLWithPath: out))
        let manifest = try String(contentsOfFile: out + ".manifest.json", encoding: .utf8)
        let fileDigest = SHA256Digest.hex(SHA256Digest.of(Array(xml)))
        #expect(manifest.contains("\"sha256\":\"\(fileDigest)\"") && manifest.contains("\"records\":3"))
        #expect(manifest.contains("\"created_by\":\"\(alice)\""))
        let text = String(decoding: xml, as: UTF8.self)
        #expect(text.components(separatedBy: "<ResponseRecord>").count - 1 == 3)
        #expect(text.contains("<cSPID>Example Telecom AB</cSPID>"))
        let again = try store.run(
            ["lookup", "--request", "1", "--identifier", "+46701234567", "--out", out], as: alice)
        #expect(again.status == 1 && again.stderr.contains("exists already"))

        let audit = try store.run(["audit", "list", "--request", "1", "--format", "csv"], as: carol)
        let actions = audit.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[3] }
        #expect(
            actions == ["request-create", "hold-place", "lookup-refused", "request-approve", "lookup", "export"],
            "\(audit.stderr)")
        #expect(audit.stdout.contains(fileDigest) && audit.stdout.contains("is not approved yet"))
        let intact = try store.run(["audit", "verify"], as: carol)
        #expect(intact.status == 0 && intact.stdout.contains("the audit log is intact: 6 entries"))
        #expect(intact.stdout.contains("run as cdrstore_lawful, which cannot log in and has no members"))

        for (login, arguments, message) in [
            (alice, ["audit", "list"], "permission denied for table audit"),
            (
                dave, ["lookup", "--request", "1", "--identifier", "+46701234567"],
                "permission denied for schema lawful"
            ),
            (
                carol, ["lookup", "--request", "1", "--identifier", "+46701234567"],
                "permission denied for function lookup"
            ),
        ] {
            let refused = try store.run(arguments, as: login)
            #expect(refused.status == 1 && refused.stderr.contains(message), "\(login): \(refused.stderr)")
        }

        let subject = try store.run(["subject-export", "--identifier", "0701234567", "--country-code", "46"], as: erin)
        #expect(subject.stdout.contains("\"records_count\":3") && !subject.stdout.contains("preserved"))

        try store.superuser().executeScript(
            "BEGIN; SET LOCAL session_replication_role = replica; UPDATE lawful.audit SET login = 'nobody' WHERE seq = 4; COMMIT"
        )
        let verify = try store.run(["audit", "verify"], as: carol)
        #expect(verify.status == 1 && verify.stderr.contains("audit entry 4: was changed"))
    }
}

extension LawfulAccessCLITests {
    /// `lookup --identifiers-file`: every identifier checked before the first lookup, one audit
    /// entry and one export file each, a refused one reported and audited while the others land.
    @Test func aFileOfIdentifiersIsLookedUpOneAuditEntryAndOneFileEach() throws {
        let store = try Store()
        let suffix = String(UInt32.random(in: 0...UInt32.max))
        let (alice, bob, carol) = ("alice\(suffix)", "bob\(suffix)", "carol\(suffix)")
        for (login, role) in [(alice, "officer"), (bob, "officer"), (carol, "auditor")] {
            #expect(try store.run(["grant", login, "cdrstore_\(role)"]).status == 0)
        }
        #expect(try store.run(Self.request + ["--identifier", "0812345678"], as: alice).status == 0)
        #expect(try store.run(["request", "approve", "1"], as: bob).status == 0)
        let entries = { try store.superuser().execute("SELECT count(*) FROM lawful.audit").scalar ?? "" }
        let before = try entries()

        let typo = try store.folder.write("typo.txt", "0701234567\n  -- \n")
        let badLine = try store.run(
            ["lookup", "--request", "1", "--identifiers-file", typo, "--country-code", "46"], as: alice)
        #expect(
            badLine.status == 1
                && badLine.stderr.contains("typo.txt, line 2: the identifier '--' normalises to nothing"))
        let list = try store.folder.write(
            "numbers.txt", "# case 2026-000123\n0701234567\n\n0812345678\n0701234567\n0799999999\n")
        let toStandardOutput = try store.run(
            ["lookup", "--request", "1", "--identifiers-file", list, "--country-code", "46", "--format", "csv"],
            as: alice)
        #expect(
            toStandardOutput.status == 1
                && toStandardOutput.stderr.contains("--format csv with several identifiers needs --out"))
        #expect(try entries() == before)

        let out = store.folder.path + "/case.csv"
        let lookup = try store.run(
            [
                "lookup", "--request", "1", "--identifiers-file", list, "--country-code", "46", "--format", "csv",
                "--out", out,
            ], as: alice)
        #expect(lookup.status == 1)
        #expect(lookup.stdout.contains("3 calls of +46701234567") && lookup.stdout.contains("3 calls of +46812345678"))
        #expect(lookup.stderr.contains("+46799999999: legal request 1 does not name this identifier"))
        #expect(lookup.stderr.contains("1 of 3 lookups failed or were refused"))
        for file in ["case-1.csv", "case-2.csv"] {
            let rows = try String(contentsOfFile: store.folder.path + "/" + file, encoding: .utf8).split(
                separator: "\n")
            #expect(rows.count == 4, "\(file): a header and 3 calls")
            #expect(FileManager.default.fileExists(atPath: store.folder.path + "/" + file + ".manifest.json"))
        }
        #expect(!FileManager.default.fileExists(atPath: store.folder.path + "/case-3.csv"))
        let audit = try store.run(["audit", "list", "--request", "1", "--format", "csv"], as: carol)
        let actions = audit.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[3] }
        #expect(
            actions.suffix(5) == ["lookup", "export", "lookup", "export", "lookup-refused"], "\(audit.stdout)")
        #expect(try store.run(["audit", "verify"], as: carol).status == 0)

        // Indexed, the days are found through cdr.identifier_day instead of being searched in full.
        let indexed = try store.run(["partitions", "index"])
        #expect(indexed.stdout.contains("indexed 3 days for lookups, 2026-10-11 to 2026-10-13"), "\(indexed.stderr)")
        #expect(try store.run(["partitions", "index"]).stdout.contains("indexed 0 days for lookups"))
        let again = try store.run(
            ["lookup", "--request", "1", "--identifier", "0812345678", "--country-code", "46"], as: alice)
        #expect(again.status == 0 && again.stderr.contains("3 calls of +46812345678"), "\(again.stderr)")
    }
}

/// A step of a store's set-up that did not succeed, with cdrstore's own words.
struct SetUpFailure: Error, CustomStringConvertible {
    let description: String
}

/// Moments for command-line flags, relative to the real clock.
enum CanonicalJSONTime {
    static func daysFromNow(_ days: Int) -> String {
        let date = Date().addingTimeInterval(Double(days) * 86_400)
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
