import Foundation
import TestSupport
import Testing

/// `cdrstore demo` on an embedded default of its own, twice at once: each works in a private
/// folder of its own, removed afterwards, and both succeed.
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
}
