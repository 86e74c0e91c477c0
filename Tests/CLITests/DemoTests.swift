import Foundation
import TestSupport
import Testing

/// `cdrstore demo` on an embedded default of its own, twice at once: each works in a private
/// folder of its own, removed afterwards, and both succeed; a home the server's user cannot reach
/// is named in one sentence.
@Suite struct DemoTests {
    @Test func twoDemosAtOnceUseFoldersOfTheirOwn() throws {
        let folder = try TemporaryFolder()
        let home = folder.path + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        let environment = ["CDRSTORE_HOME": home]
        defer { _ = try? CLIRunner.run(["embedded", "stop"], environment: environment) }
        let started = try CLIRunner.run(["migrate"], environment: environment)
        try #require(started.status == 0, "\(started.stderr)")
        let demos = try (0..<2).map { _ in
            try CLIRunner.start(["demo", "--calls", "300", "--days", "1"], environment: environment)
        }
        for demo in demos { demo.waitUntilExit() }
        let results = demos.map { $0.result() }
        for result in results { #expect(result.status == 0, "\(result.stderr)") }
        let folders = results.compactMap { result in
            result.stdout.firstMatch(of: /wrote (\S+)\/Master\.csv/).map { String($0.1) }
        }
        #expect(folders.count == 2)
        #expect(Set(folders).count == 2, "each demo writes in a folder of its own: \(folders)")
        for path in folders {
            #expect(!path.hasSuffix("/cdrstore-demo"), "not the fixed path")
            #expect(!FileManager.default.fileExists(atPath: path), "the demo removes its private folder")
        }
    }

    /// Only root hands the server to another user (`postgres`), which a home under a folder of
    /// mode 0700 shuts out; any other user runs the server itself.
    @Test(.enabled(if: geteuid() == 0, "the server runs as another user only when cdrstore runs as root"))
    func aHomeTheServersUserCannotReachIsNamedInOneSentence() throws {
        let folder = try TemporaryFolder()
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
        let home = folder.path + "/home"
        let result = try CLIRunner.run(["demo", "--calls", "10", "--days", "1"], environment: ["CDRSTORE_HOME": home])
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "cdrstore: the PostgreSQL server runs as the user 'postgres', which cannot enter \(folder.path); "
                + "choose a CDRSTORE_HOME it can reach (such as /var/lib/cdrstore) or open that folder to it\n")
    }
}
