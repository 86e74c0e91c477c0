import Foundation
import Postgres
import TestSupport
import Testing

/// A spool folder with a `processed` folder: finished files move there once settled, and what
/// they held is stored once.
@Suite struct ServeSpoolTests {
    @Test func aFinishedFileIsMovedToProcessedAfterItsRecordsAreStored() throws {
        let conninfo = try TestDatabase.createMigrated(prefix: "servedone")
        let folder = try TemporaryFolder()
        let spool = folder.path + "/spool"
        let done = folder.path + "/done"
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        let lines = (0..<50).map { ServeFixtures.asteriskLine(key: "p\($0)") }
        ServeFixtures.append(lines[0..<30].joined(), to: spool + "/Master.csv.1")
        ServeFixtures.append(lines[30...].joined(), to: spool + "/Master.csv")
        let server = try ServeFixtures.spoolServer(
            conninfo: conninfo, spool: spool, configIn: folder,
            extra: "    processed: \(done)\n    settle_seconds: 0\n    accounts: {acme: ACME-AB}")
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, (try? FileManager.default.contentsOfDirectory(atPath: done).count) ?? 0 < 2 {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let stopped = server.terminate()
        #expect(stopped?.status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: done).sorted() == ["Master.csv", "Master.csv.1"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool).isEmpty)
        let stored = try Connection(conninfo).execute("SELECT record_key, account FROM cdr.call ORDER BY record_key")
        #expect(stored.rows.map { $0[0] ?? "" } == (0..<50).map { "p\($0)" }.sorted())
        #expect(stored.rows.allSatisfy { $0[1] == "ACME-AB" }, "the feed's account mapping applies to spool files")
        #expect(stopped?.stderr.contains("spool file moved") == true)
    }

    /// A file whose last line never got its line end is complete once it settles: that line is
    /// stored before the file moves, once.
    @Test func aSettledFileStoresItsUnterminatedLastLineBeforeItMoves() throws {
        let conninfo = try TestDatabase.createMigrated(prefix: "servelast")
        let folder = try TemporaryFolder()
        let spool = folder.path + "/spool"
        let done = folder.path + "/done"
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        var text = (0..<5).map { ServeFixtures.asteriskLine(key: "u\($0)") }.joined()
        #expect(text.last == "\n")
        text.removeLast()
        ServeFixtures.append(text, to: spool + "/Master.csv")
        let server = try ServeFixtures.spoolServer(
            conninfo: conninfo, spool: spool, configIn: folder, extra: "    processed: \(done)\n    settle_seconds: 1")
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, (try? FileManager.default.contentsOfDirectory(atPath: done).count) ?? 0 < 1 {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let stopped = server.terminate()
        #expect(stopped?.status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: done) == ["Master.csv"])
        let stored = try Connection(conninfo).execute("SELECT record_key FROM cdr.call ORDER BY record_key")
        #expect(stored.rows.map { $0[0] ?? "" } == (0..<5).map { "u\($0)" })
        #expect(try Connection(conninfo).execute("SELECT count(*) FROM cdr.reject").scalar == "0")
    }

    /// A spool folder that disappears makes its feed fail: `/health` answers 503 naming it, until
    /// the folder is back.
    @Test func healthNamesAFailingSpoolFeed() throws {
        let conninfo = try TestDatabase.createMigrated(prefix: "servehealth")
        let folder = try TemporaryFolder()
        let spool = folder.path + "/spool"
        let server = try ServeFixtures.spoolServer(conninfo: conninfo, spool: spool, configIn: folder)
        defer { _ = server.terminate() }
        func health() throws -> LoopbackHTTP.Response {
            try LoopbackHTTP.request(port: server.port, method: "GET", path: "/health")
        }
        #expect(try health().status == 200)
        try FileManager.default.removeItem(atPath: spool)
        var failing = try health()
        let deadline = Date().addingTimeInterval(20)
        while failing.status == 200, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
            failing = try health()
        }
        #expect(failing.status == 503)
        #expect(failing.body.contains(#""failing_feeds":{"pbx spool":"since "#), "\(failing.body)")
        #expect(failing.body.contains("cannot list the spool folder \(spool) of feed 'pbx'"), "\(failing.body)")
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        var recovered = try health()
        while recovered.status != 200, Date() < deadline.addingTimeInterval(10) {
            Thread.sleep(forTimeInterval: 0.1)
            recovered = try health()
        }
        #expect(recovered.body == #"{"database":"ok","queue_records":0}"# + "\n")
    }
}
