import Foundation
import TestSupport
import Testing

/// `cdrstore serve --check`: the shipped configurations are valid, and a wrong one is refused with
/// one sentence that names the place.
@Suite struct ServeConfigurationTests {
    /// Nine levels of anchors, each alias list repeating the one before nine times: 9^9 values.
    static let aliasBomb =
        (["a: &a [x, x, x, x, x, x, x, x, x]"]
        + zip("bcdefghij", "abcdefghi").map { name, previous in
            "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]"
        }).joined(separator: "\n") + "\n"

    /// Found by the serve-config fuzzer: Yams' constructor trapped on this complex key.
    static let complexKey =
        "? cdrstorevees r --config# The configuration dotag:yaml.org,disten: 0.0.0.0:808efes\nd0:\n"
        + "  - name: pbx1\ncdrstorevees r -e: drstorte"

    /// The repository's root, to check the configurations it ships.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test func theExampleConfigurationSaysWhatItRuns() throws {
        let result = try CLIRunner.run(["serve", "--config", Self.repository + "/cdrstore.example.yaml", "--check"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout == """
                listen 127.0.0.1:8080, queue up to 100000 records, groups up to 20000
                feed pbx1: asterisk-csv in Europe/Stockholm; country code 46; spool spool/pbx1 (Master.csv*), done files to spool/pbx1/done
                feed fs1: freeswitch-json in Europe/Stockholm; country code 46; pushes to /v1/feeds/fs1/freeswitch-json as fs1
                feed gateway: cdr-jsonl in UTC; pushes to /v1/feeds/gateway/records as gateway

                """)
    }

    @Test func theContainerConfigurationIsValid() throws {
        let result = try CLIRunner.run([
            "serve", "--config", Self.repository + "/deploy/cdrstore.docker.yaml", "--check",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("listen 0.0.0.0:8080"))
    }

    @Test(arguments: [
        ("feeds:\n  - name: a\n    format: asterisk-csv\n    spol: /tmp/x\n", "feeds[0]: unknown setting 'spol'"),
        ("feeds:\n  - name: a\n    format: bogus\n    spool: /tmp/x\n", "unknown format 'bogus'"),
        (
            "feeds:\n  - name: a\n    format: asterisk-csv\n",
            "feed 'a' has neither a 'spool' folder nor 'push' credentials"
        ),
        ("http:\n  listen: localhost\nfeeds: []\n", "http.listen: 'localhost' is not HOST:PORT"),
        ("feeds: [\n", "is not valid YAML"),
        ("http: {}\n", "no feeds are configured"),
        (
            "feeds:\n  - {name: a, format: cdr-jsonl, push: {username: u, password: p}}\n"
                + "  - {name: a, format: cdr-jsonl, push: {username: u, password: p}}\n",
            "feed 'a' is configured twice"
        ),
        (
            ServeConfigurationTests.aliasBomb, "line 1 has a YAML anchor or alias (&name); they are not allowed"
        ),
        (ServeConfigurationTests.complexKey, "is not valid YAML: a key in the document is not text"),
        // Found by the serve-config fuzzer: Yams' base-60 integer reading overflowed and trapped.
        ("http:\n  max_queued_records: 711112222222222222:6\nfeeds: []\n", "http.max_queued_records"),
        ("http:\n  request_seconds: 0\nfeeds: []\n", "http.request_seconds must be a whole number from 1 to 3600"),
        (
            String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "\n",
            "line 1 is nested deeper than 32 levels"
        ),
        (
            "feeds:\n  - name: a\n    format: asterisk-csv\n    acc_keys: caller=x\n    spool: /tmp/x\n",
            "--acc-keys is only for --format kamailio-acc"
        ),
        ("citus: yes please\nfeeds: []\n", "citus must be true or false"),
    ])
    func aWrongConfigurationIsOneSentenceAndExitCode1(yaml: String, expected: String) throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("serve.yaml", yaml)
        let result = try CLIRunner.run(["serve", "--config", path, "--check"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("cdrstore: "))
        #expect(result.stderr.contains(expected), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func aMissingConfigurationFileOrADirectoryIsNamed() throws {
        let missing = try CLIRunner.run(["serve", "--config", "/nonexistent/cdrstore.yaml", "--check"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "cdrstore: there is no configuration file /nonexistent/cdrstore.yaml\n")
        let folder = try TemporaryFolder()
        let directory = try CLIRunner.run(["serve", "--config", folder.path, "--check"])
        #expect(directory.status == 1)
        #expect(
            directory.stderr
                == "cdrstore: the configuration file \(folder.path) is a directory; give the YAML file inside it\n")
    }

    @Test func aKamailioFeedNamesItsKeys() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write(
            "serve.yaml",
            "feeds:\n  - name: sbc\n    format: kamailio-acc\n    acc_keys: cdr-caller=c1,cdr-callee=c2\n    spool: /tmp/x\n"
        )
        let result = try CLIRunner.run(["serve", "--config", path, "--check"])
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// A port another program holds: one sentence and exit 1, and nothing logged as serving.
    @Test func aPortInUseIsOneSentence() throws {
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(holder, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(bound == 0 && listen(holder, 1) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(holder, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let conninfo = try TestDatabase.createMigrated(prefix: "portinuse")
        let folder = try TemporaryFolder()
        let path = try folder.write(
            "serve.yaml",
            "http:\n  listen: 127.0.0.1:\(port)\nfeeds:\n  - {name: gw, format: cdr-jsonl, push: {username: u, password: p}}\n"
        )
        let result = try CLIRunner.run(["serve", "--db", conninfo, "--config", path])
        #expect(result.status == 1)
        #expect(
            result.stderr.hasSuffix(
                "cdrstore: cannot listen on 127.0.0.1:\(port): another program already listens there\n"),
            "\(result.stderr)")
        #expect(!result.stderr.contains("serving"))
    }

    /// `citus: true` is in the summary; on a store not in its distributed form, serve refuses in
    /// one sentence before it listens, and `--migrate` refuses where there is no Citus coordinator.
    @Test func aCitusConfigurationNeedsTheDistributedForm() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write(
            "serve.yaml",
            "citus: true\nhttp:\n  listen: 127.0.0.1:0\nfeeds:\n  - {name: gw, format: cdr-jsonl, push: {username: u, password: p}}\n"
        )
        let check = try CLIRunner.run(["serve", "--config", path, "--check"])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(
            check.stdout.split(separator: "\n").dropFirst().first
                == "store on a Citus coordinator, in its distributed form")
        let conninfo = try TestDatabase.createMigrated(prefix: "servecitus")
        let served = try CLIRunner.run(["serve", "--db", conninfo, "--config", path])
        #expect(served.status == 1)
        #expect(
            served.stderr
                == "cdrstore: the store is not in its distributed form, which the configuration's citus: true expects: "
                + "run cdrstore migrate --citus on the coordinator (or serve --migrate)\n", "\(served.stderr)")
        let migrated = try CLIRunner.run(["serve", "--db", conninfo, "--config", path, "--migrate"])
        #expect(migrated.status == 1)
        #expect(
            migrated.stderr.hasPrefix("cdrstore: this database is not on a Citus coordinator"), "\(migrated.stderr)")
    }
}
