import Foundation
import Postgres
import TestSupport
import Testing

/// `cdrstore serve` killed with `kill -9` while it works: every acknowledged push and every line
/// written to its spool folder is stored exactly once.
@Suite(.serialized) struct ServeReliabilityTests {
    @Test func everyAcknowledgedPushIsStoredOnceThroughKillNineRestarts() throws {
        let conninfo = try TestDatabase.createMigrated(prefix: "servepush")
        let folder = try TemporaryFolder()
        let server = try ServeFixtures.pushServer(conninfo: conninfo, configIn: folder)
        let clients = 16
        let batchesPerClient = 200
        let ledger = PushLedger()
        let active = DispatchGroup()
        for client in 0..<clients {
            active.enter()
            Thread.detachNewThread {
                defer { active.leave() }
                for batch in 0..<batchesPerClient {
                    let keys = (0..<(1 + (client + batch) % 5)).map { "c\(client)-b\(batch)-r\($0)" }
                    let body = keys.map { ServeFixtures.canonicalLine(key: $0) }.joined()
                    let acknowledged = Self.post(body, to: server, attempts: 200)
                    ledger.record(keys, acknowledged: acknowledged)
                }
            }
        }
        var kills = 0
        for _ in 0..<3 {
            Thread.sleep(forTimeInterval: 0.6)
            guard ledger.sentCount < clients * batchesPerClient else { break }
            server.killHard()
            kills += 1
            Thread.sleep(forTimeInterval: 0.2)
            try server.start()
        }
        active.wait()
        let stopped = server.terminate()
        #expect(kills >= 2, "the server should be killed while clients post (all posts finished too early)")
        #expect(stopped?.status == 0, "serve should exit 0 on SIGTERM: \(stopped?.stderr ?? "")")

        let stored = try Connection(conninfo).execute(
            "SELECT record_key, count(*) FROM cdr.call WHERE feed = 'gw' GROUP BY record_key")
        let counts = Dictionary(uniqueKeysWithValues: stored.rows.map { ($0[0] ?? "", Int($0[1] ?? "0") ?? 0) })
        let acknowledged = ledger.acknowledged
        #expect(acknowledged.count > 0)
        #expect(acknowledged.allSatisfy { counts[$0] == 1 }, "an acknowledged CDR is missing or doubled")
        #expect(counts.values.allSatisfy { $0 == 1 }, "a CDR is stored twice")
        #expect(Set(counts.keys).isSubset(of: ledger.sent), "a stored CDR was never sent")
        let unacknowledgedStored = counts.keys.filter { !acknowledged.contains($0) }
        #expect(
            Set(unacknowledgedStored).isSubset(of: ledger.givenUp),
            "a CDR stored without acknowledgement must be one the client gave up on")
        #expect(counts.count == acknowledged.count + unacknowledgedStored.count)
    }

    @Test func sigtermWhilePushesArriveAnswersWhatItTookAndExitsZero() throws {
        let conninfo = try TestDatabase.createMigrated(prefix: "serveterm")
        let folder = try TemporaryFolder()
        let server = try ServeFixtures.pushServer(conninfo: conninfo, configIn: folder)
        let ledger = PushLedger()
        let stop = Flag()
        let active = DispatchGroup()
        for client in 0..<8 {
            active.enter()
            Thread.detachNewThread {
                defer { active.leave() }
                var batch = 0
                while !stop.isSet {
                    let keys = ["t\(client)-\(batch)"]
                    ledger.record(
                        keys,
                        acknowledged: Self.post(ServeFixtures.canonicalLine(key: keys[0]), to: server, attempts: 1))
                    batch += 1
                }
            }
        }
        Thread.sleep(forTimeInterval: 1.0)
        let acknowledgedBeforeStop = ledger.acknowledged.count
        let stopped = server.terminate()
        stop.set()
        active.wait()
        #expect(acknowledgedBeforeStop > 0, "pushes should be acknowledged before the stop")
        #expect(stopped?.status == 0, "serve should exit 0 on SIGTERM: \(stopped?.stderr ?? "")")
        let stored = try Connection(conninfo).execute("SELECT record_key FROM cdr.call")
        let storedKeys = stored.rows.map { $0[0] ?? "" }
        #expect(Set(storedKeys).count == storedKeys.count, "a CDR is stored twice")
        #expect(ledger.acknowledged.isSubset(of: Set(storedKeys)), "an acknowledged CDR is missing after the stop")
    }

    @Test func aSpoolFileAppendedAndRotatedThroughKillNineRestartsIsStoredOnce() throws {
        let conninfo = try TestDatabase.createMigrated(prefix: "servespool")
        let folder = try TemporaryFolder()
        let spool = folder.path + "/spool"
        let server = try ServeFixtures.spoolServer(conninfo: conninfo, spool: spool, configIn: folder)
        let lines = 6_000
        let written = DispatchSemaphore(value: 0)
        let finishedWriting = Flag()
        Thread.detachNewThread {
            var rotation = 0
            for chunk in stride(from: 0, to: lines, by: 40) {
                let text = (chunk..<min(chunk + 40, lines)).map { ServeFixtures.asteriskLine(key: "s\($0)") }.joined()
                ServeFixtures.append(text, to: spool + "/Master.csv")
                if chunk % 1_000 == 960 {
                    rotation += 1
                    rename(spool + "/Master.csv", spool + "/Master.csv.\(rotation)")
                }
                Thread.sleep(forTimeInterval: 0.01)
            }
            finishedWriting.set()
            written.signal()
        }
        var killsWhileWriting = 0
        for _ in 0..<3 {
            Thread.sleep(forTimeInterval: 0.3)
            if !finishedWriting.isSet { killsWhileWriting += 1 }
            server.killHard()
            try server.start()
        }
        written.wait()
        #expect(killsWhileWriting >= 2, "the server should be killed while the file is being written")
        let connection = try Connection(conninfo)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, Int(try connection.execute("SELECT count(*) FROM cdr.call").scalar ?? "0")! < lines {
            Thread.sleep(forTimeInterval: 0.1)
        }
        let stopped = server.terminate()
        #expect(stopped?.status == 0, "serve should exit 0 on SIGTERM: \(stopped?.stderr ?? "")")
        let stored = try connection.execute(
            "SELECT record_key FROM cdr.call WHERE feed = 'pbx' GROUP BY record_key HAVING count(*) = 1")
        let doubled = try connection.execute(
            "SELECT count(*) FROM (SELECT 1 FROM cdr.call GROUP BY record_key HAVING count(*) > 1) AS d")
        #expect(doubled.scalar == "0")
        #expect(Set(stored.rows.map { $0[0] ?? "" }) == Set((0..<lines).map { "s\($0)" }))
        let rotated = try FileManager.default.contentsOfDirectory(atPath: spool).filter { $0.hasPrefix("Master.csv.") }
        #expect(rotated.count == lines / 1_000)
    }

    /// Posts until the server answers 200 (retrying refusals, timeouts and 503 as FreeSWITCH does); false when it gave up.
    private static func post(_ body: String, to server: ServeProcess, attempts: Int) -> Bool {
        for _ in 0..<attempts {
            let port = server.port
            if port > 0,
                let response = try? LoopbackHTTP.request(
                    port: port, path: "/v1/feeds/gw/records",
                    headers: ["Authorization": LoopbackHTTP.basic(user: "gw", password: "s3cret")],
                    body: Array(body.utf8), timeoutSeconds: 5)
            {
                if response.status == 200 { return true }
                if response.status != 503 { return false }
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }
}

/// What the push clients sent, and which of it the server acknowledged.
final class PushLedger: @unchecked Sendable {
    private let lock = NSLock()
    private var sentKeys: Set<String> = []
    private var acknowledgedKeys: Set<String> = []
    private var givenUpKeys: Set<String> = []
    private var posts = 0

    func record(_ keys: [String], acknowledged: Bool) {
        lock.withLock {
            posts += 1
            sentKeys.formUnion(keys)
            if acknowledged { acknowledgedKeys.formUnion(keys) } else { givenUpKeys.formUnion(keys) }
        }
    }

    var sentCount: Int { lock.withLock { posts } }
    var sent: Set<String> { lock.withLock { sentKeys } }
    var acknowledged: Set<String> { lock.withLock { acknowledgedKeys } }
    var givenUp: Set<String> { lock.withLock { givenUpKeys } }
}

/// A flag one thread sets and another reads.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

/// Records for the serve tests: recent Asterisk lines with a chosen uniqueid.
enum ServeFixtures {
    /// Yesterday's noon UTC, seconds since the epoch.
    static let yesterdayNoonEpoch = (Int(Date().timeIntervalSince1970) / 86_400 - 1) * 86_400 + 43_200

    /// Yesterday's UTC date, `YYYY-MM-DD`.
    static let yesterday: String = {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date(timeIntervalSince1970: Double(yesterdayNoonEpoch)))
    }()

    /// `cdrstore serve` with one push feed `gw` (cdr-jsonl, user gw, password s3cret), its
    /// configuration written into `folder` (which must outlive the server: restarts read it again).
    static func pushServer(conninfo: String, configIn folder: TemporaryFolder) throws -> ServeProcess {
        let config = try folder.write(
            "serve.yaml",
            """
            http:
              listen: 127.0.0.1:0
            feeds:
              - name: gw
                format: cdr-jsonl
                push: {username: gw, password: s3cret}
            """)
        return try ServeProcess(arguments: ["--db", conninfo, "--config", config])
    }

    /// `cdrstore serve` watching `spool` (created) for feed `pbx`'s `Master.csv*`, every 50 ms; `extra`
    /// adds settings to the feed; the configuration is written into `folder`.
    static func spoolServer(
        conninfo: String, spool: String, configIn folder: TemporaryFolder, extra: String = ""
    ) throws -> ServeProcess {
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        let config = try folder.write(
            "serve.yaml",
            """
            http:
              listen: 127.0.0.1:0
            spool:
              poll_seconds: 0.05
            feeds:
              - name: pbx
                format: asterisk-csv
                spool: \(spool)
                files: "Master.csv*"
            \(extra)
            """)
        return try ServeProcess(arguments: ["--db", conninfo, "--config", config])
    }

    /// One Asterisk line whose record key is `key`.
    static func asteriskLine(key: String) -> String {
        AsteriskLine.make(
            start: "\(yesterday) 12:00:00", answer: "\(yesterday) 12:00:05", end: "\(yesterday) 12:01:05",
            duration: "65", billsec: "60", uniqueID: key)
    }

    /// One canonical record (`cdr-jsonl`) whose record key is `key`.
    static func canonicalLine(key: String) -> String {
        #"{"start_time":"\#(yesterday)T12:00:00Z","answer_time":"\#(yesterday)T12:00:05Z","end_time":"\#(yesterday)T12:01:05Z","source":"+46701234567","destination":"+46812345678","record_key":"\#(key)"}"#
            + "\n"
    }

    /// Appends `text` with one write, as a PBX appends a record.
    static func append(_ text: String, to path: String) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        defer { close(descriptor) }
        _ = Array(text.utf8).withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }
}
