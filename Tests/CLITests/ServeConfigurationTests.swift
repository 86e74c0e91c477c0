import Foundation
import TestSupport
import Testing

/// `cdrstore serve --check`: the shipped configurations are valid, and a wrong one is refused with
/// one sentence that names the place.
@Suite struct ServeConfigurationTests {
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

    @Test func aMissingConfigurationFileIsNamed() throws {
        let result = try CLIRunner.run(["serve", "--config", "/nonexistent/cdrstore.yaml", "--check"])
        #expect(result.status == 1)
        #expect(result.stderr == "cdrstore: cannot read the configuration file /nonexistent/cdrstore.yaml\n")
    }
}
