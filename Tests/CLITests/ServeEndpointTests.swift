import Foundation
import Postgres
import TestSupport
import Testing

/// `cdrstore serve`'s HTTP endpoints as FreeSWITCH and other senders use them: what each answer means and what it stores.
@Suite(.serialized) struct ServeEndpointTests {
    let conninfo: String
    let server: ServeProcess
    let connection: Connection

    init() throws {
        conninfo = try TestDatabase.createMigrated(prefix: "serveapi")
        let folder = try TemporaryFolder()
        let config = try folder.write(
            "serve.yaml",
            """
            http:
              listen: 127.0.0.1:0
            feeds:
              - name: fs1
                format: freeswitch-json
                country_code: "46"
                push: {username: fs1, password: pw-fs1}
              - name: gw
                format: cdr-jsonl
                push: {username: gw, password: pw-gw}
                accounts: {"acme-7": ACME, "*": WALKIN}
            """)
        server = try ServeProcess(arguments: ["--db", conninfo, "--config", config])
        connection = try Connection(conninfo)
    }

    /// A mod_json_cdr document of an answered call that started `ServeFixtures.yesterday` at 12:00 UTC.
    private var freeSWITCHDocument: String {
        let start = Int64(ServeFixtures.yesterdayNoonEpoch) * 1_000_000
        return """
            {"core-uuid":"c0re","variables":{"uuid":"8a1f-uuid","sip_from_user":"0701234567","sip_to_user":"0812345678",\
            "sip_received_ip":"192.0.2.7","sip_user_agent":"Z%203.15","hangup_cause":"NORMAL_CLEARING",\
            "start_uepoch":"\(start)","answer_uepoch":"\(start + 5_000_000)","end_uepoch":"\(start + 65_000_000)",\
            "duration":"65","billsec":"60"}}
            """
    }

    private func post(
        _ path: String, _ body: String, user: String, password: String, contentType: String = "application/json"
    ) throws -> LoopbackHTTP.Response {
        try LoopbackHTTP.request(
            port: server.port, path: path,
            headers: [
                "Authorization": LoopbackHTTP.basic(user: user, password: password), "Content-Type": contentType,
            ], body: Array(body.utf8))
    }

    @Test func aFreeSWITCHPushIsStoredOnceInWhicheverEncodingItArrives() throws {
        defer { _ = server.terminate() }
        let document = freeSWITCHDocument
        let formEncoded =
            "uuid=8a1f-uuid&cdr=" + document.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let base64 = "cdr=" + Data(document.utf8).base64EncodedString()
        let path = "/v1/feeds/fs1/freeswitch-json?uuid=8a1f-uuid"
        let first = try post(path, document, user: "fs1", password: "pw-fs1")
        #expect(first.status == 200)
        #expect(first.body == #"{"ingested":1,"duplicates":0,"rejected":0,"rejects":[]}"# + "\n")
        let second = try post(
            path, formEncoded, user: "fs1", password: "pw-fs1", contentType: "application/x-www-form-urlencoded")
        #expect(second.body == #"{"ingested":0,"duplicates":1,"rejected":0,"rejects":[]}"# + "\n")
        let third = try post(
            path, base64, user: "fs1", password: "pw-fs1", contentType: "application/x-www-form-base64-encoded")
        #expect(third.body == #"{"ingested":0,"duplicates":1,"rejected":0,"rejects":[]}"# + "\n")
        let stored = try connection.execute(
            "SELECT source, destination, host(source_ip), equipment, disposition, billable_s, record_key FROM cdr.call")
        #expect(
            stored.rows == [["+46701234567", "+46812345678", "192.0.2.7", "Z 3.15", "answered", "60", "8a1f-uuid"]])
    }

    @Test func aWrongPasswordIsRefusedAndStoresNothing() throws {
        defer { _ = server.terminate() }
        let answer = try post("/v1/feeds/fs1/freeswitch-json", freeSWITCHDocument, user: "fs1", password: "guess")
        #expect(answer.status == 401)
        let otherFeedsPassword = try post(
            "/v1/feeds/fs1/freeswitch-json", freeSWITCHDocument, user: "gw", password: "pw-gw")
        #expect(otherFeedsPassword.status == 401)
        let unknownFeed = try post("/v1/feeds/nope/records", "{}", user: "gw", password: "pw-gw")
        #expect(unknownFeed.status == 404)
        #expect(try connection.execute("SELECT count(*) FROM cdr.call").scalar == "0")
        #expect(try connection.execute("SELECT count(*) FROM cdr.reject").scalar == "0")
    }

    @Test func aMalformedBodyIsAnswered400WithItsReasonAndKeptAsAReject() throws {
        defer { _ = server.terminate() }
        let answer = try post("/v1/feeds/fs1/freeswitch-json", "{\"variables\":", user: "fs1", password: "pw-fs1")
        #expect(answer.status == 400)
        let rejects = try connection.execute(
            "SELECT feed, source_name, convert_from(raw, 'UTF8'), reason FROM cdr.reject")
        #expect(rejects.rows.count == 1)
        #expect(rejects.rows.first?[0] == "fs1")
        #expect(rejects.rows.first?[1] == "POST /v1/feeds/fs1/freeswitch-json")
        #expect(rejects.rows.first?[2] == "{\"variables\":")
        let reason = try #require(rejects.rows.first?[3] ?? nil)
        #expect(answer.body.contains(reason.replacingOccurrences(of: "\"", with: "\\\"")))
    }

    @Test func aRecordsBatchStoresItsGoodLinesAndNamesItsBadOnes() throws {
        defer { _ = server.terminate() }
        let day = ServeFixtures.yesterday
        let good = [(1, "acme-7"), (2, "other-9")].map { n, account in
            #"{"start_time":"\#(day)T12:00:0\#(n)Z","end_time":"\#(day)T12:01:00Z","source":"+46701234567","destination":"+4681234567\#(n)","account":"\#(account)","record_key":"k\#(n)"}"#
        }
        let body = good[0] + "\n" + #"{"start_time":"yesterday"}"# + "\n" + good[1]
        let answer = try post("/v1/feeds/gw/records", body, user: "gw", password: "pw-gw")
        #expect(answer.status == 200)
        #expect(answer.body.hasPrefix(#"{"ingested":2,"duplicates":0,"rejected":1,"rejects":[{"line":2,"reason":"#))
        let stored = try connection.execute(
            "SELECT record_key, disposition, account FROM cdr.call ORDER BY record_key")
        #expect(stored.rows == [["k1", "no_answer", "ACME"], ["k2", "no_answer", "WALKIN"]])
        #expect(try connection.execute("SELECT line_number FROM cdr.reject").rows == [["2"]])
        let wrongEndpoint = try post("/v1/feeds/gw/freeswitch-json", good[0], user: "gw", password: "pw-gw")
        #expect(wrongEndpoint.status == 404)
        #expect(wrongEndpoint.body.contains(#"configured as cdr-jsonl; post to \/v1\/feeds\/gw\/records"#))
    }

    @Test func healthAndMetricsReportTheDatabaseAndTheCounts() throws {
        _ = try post("/v1/feeds/fs1/freeswitch-json", freeSWITCHDocument, user: "fs1", password: "pw-fs1")
        let health = try LoopbackHTTP.request(port: server.port, method: "GET", path: "/health")
        #expect(health.status == 200)
        #expect(health.body == #"{"database":"ok","queue_records":0}"# + "\n")
        let metrics = try LoopbackHTTP.request(port: server.port, method: "GET", path: "/metrics")
        #expect(metrics.body.contains(#"cdrstore_records_total{feed="fs1",outcome="ingested"} 1"#))
        #expect(metrics.body.contains("cdrstore_commit_seconds_count 1"))
        let stopped = server.terminate()
        #expect(stopped?.status == 0)
        #expect(stopped?.stderr.contains("stopped") == true)
    }

    @Test func aBodyOver8MiBIs413WithItsReason() throws {
        defer { _ = server.terminate() }
        let answer = try post(
            "/v1/feeds/gw/records", String(repeating: "x", count: 8 << 20 + 1), user: "gw", password: "pw-gw")
        #expect(answer.status == 413)
        #expect(answer.body == #"{"error":{"message":"the body is larger than 8 MiB"}}"#)
    }

    /// A header block over 16 KiB, or of more than 100 fields, is answered 431 with the limit.
    @Test(arguments: [
        ["Authorization": "Basic " + String(repeating: "x", count: 20_000)],
        Dictionary(uniqueKeysWithValues: (0..<120).map { ("X-Field-\($0)", "1") }),
    ])
    func aHeaderBlockOverTheLimitsIs431WithItsReason(headers: [String: String]) throws {
        defer { _ = server.terminate() }
        let answer = try LoopbackHTTP.request(
            port: server.port, path: "/v1/feeds/gw/records", headers: headers, body: Array("x".utf8))
        #expect(answer.status == 431)
        #expect(answer.body == "the request's header block is over 16 KiB or 100 fields\n")
    }

    /// A client that connects and sends nothing is disconnected once the connection has been idle
    /// for 15 s.
    @Test func anIdleConnectionIsClosed() throws {
        defer { _ = server.terminate() }
        let socket = try LoopbackHTTP.connect(port: server.port, timeoutSeconds: 40)
        defer { close(socket) }
        try LoopbackHTTP.sendAll(socket, Array("POST /v1/feeds/gw/records HTTP/1.1\r\n".utf8))
        let started = Date()
        var byte: UInt8 = 0
        let received = recv(socket, &byte, 1, 0)
        #expect(received == 0, "the server closes the connection (recv gave \(received), errno \(errno))")
        #expect(Date().timeIntervalSince(started) < 35)
    }
}

/// Clients too slow to finish a request within `http.request_seconds` (2 s here) are answered 408
/// and disconnected, though each keeps sending a byte now and then (the idle timeout, 15 s, never
/// comes).
@Suite(.serialized) struct ServeSlowClientTests {
    let folder: TemporaryFolder
    let server: ServeProcess

    init() throws {
        let conninfo = try TestDatabase.createMigrated(prefix: "serveslow")
        folder = try TemporaryFolder()
        let config = try folder.write(
            "serve.yaml",
            """
            http:
              listen: 127.0.0.1:0
              request_seconds: 2
            feeds:
              - name: gw
                format: cdr-jsonl
                push: {username: gw, password: pw-gw}
            """)
        server = try ServeProcess(arguments: ["--db", conninfo, "--config", config])
    }

    /// Sends `before` at once, then `trickled` a byte every 0.25 s for 1.5 s, and reads the answer.
    func answer(sending before: String, trickling trickled: String) throws -> (LoopbackHTTP.Response, TimeInterval) {
        defer { _ = server.terminate() }
        let socket = try LoopbackHTTP.connect(port: server.port, timeoutSeconds: 20)
        defer { close(socket) }
        let started = Date()
        try LoopbackHTTP.sendAll(socket, Array(before.utf8))
        for byte in Array(trickled.utf8).prefix(6) {
            Thread.sleep(forTimeInterval: 0.25)
            try LoopbackHTTP.sendAll(socket, [byte])
        }
        let answer = try LoopbackHTTP.readAnswer(socket)
        return (answer, Date().timeIntervalSince(started))
    }

    @Test func aBodyTrickledTooSlowlyIs408() throws {
        let head =
            "POST /v1/feeds/gw/records HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nAuthorization: "
            + LoopbackHTTP.basic(user: "gw", password: "pw-gw") + "\r\n\r\n"
        let (answer, seconds) = try answer(sending: head, trickling: String(repeating: "x", count: 100))
        #expect(answer.status == 408)
        #expect(answer.body == "the request did not arrive whole within 2 s\n")
        #expect(seconds < 10)
    }

    /// The time runs per request: a connection kept open for requests 1.2 s apart, longer than
    /// 2 s in all, has each answered.
    @Test func aKeptAliveConnectionHasEachPromptRequestAnswered() throws {
        defer { _ = server.terminate() }
        let socket = try LoopbackHTTP.connect(port: server.port, timeoutSeconds: 20)
        defer { close(socket) }
        var statuses: [Int] = []
        for _ in 0..<3 {
            try LoopbackHTTP.sendAll(socket, Array("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            statuses.append(try LoopbackHTTP.readKeptAliveAnswer(socket).status)
            Thread.sleep(forTimeInterval: 1.2)
        }
        #expect(statuses == [200, 200, 200])
    }

    @Test func aHeaderTrickledTooSlowlyIs408() throws {
        let (answer, seconds) = try answer(sending: "POST /v1/feeds/gw/records HTTP/1.1\r\n", trickling: "Host: x\r\n")
        #expect(answer.status == 408)
        #expect(answer.body == "the request did not arrive whole within 2 s\n")
        #expect(seconds < 10)
    }

}
