import Foundation
import Hummingbird
import HummingbirdTesting
import Postgres
import Store
import TestSupport
import Testing

@testable import Server

/// The push routes in-process (HummingbirdTesting's router client, no socket), on a real
/// database: basic authentication refuses before anything is read, a feed that takes no pushes
/// or the wrong endpoint is named, and a push is answered once its records are committed.
@Suite struct PushRouteTests {
    private static let yaml = """
        http:
          listen: 127.0.0.1:0
        feeds:
          - name: gateway
            format: cdr-jsonl
            push: {username: gateway, password: s3cret}
          - name: fs1
            format: freeswitch-json
            push: {username: fs1, password: s3cret}
            accounts: {"1001": ACME}
          - name: pbx1
            format: asterisk-csv
            spool: /tmp/cdrstore-route-tests-unused
        """
    private static let line =
        #"{"start_time":"2026-10-11T12:00:00Z","end_time":"2026-10-11T12:01:00Z","source":"+46701","destination":"+46702"}"#
        + "\n"

    /// A mod_json_cdr document of a call on 2026-10-11 at 12:00 UTC, with account code 1001.
    private static let freeSWITCHDocument = """
        {"variables":{"uuid":"route-test-1","sip_from_user":"0701234567","sip_to_user":"0812345678",\
        "accountcode":"1001","hangup_cause":"NORMAL_CLEARING","start_uepoch":"1791720000000000",\
        "answer_uepoch":"1791720005000000","end_uepoch":"1791720065000000","duration":"65","billsec":"60"}}
        """

    /// `Basic` credentials for `user:password`.
    private static func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    /// The routes of `serve` for this configuration, on connections `connect` opens, with their
    /// committer (stop it at the end).
    private static func routes(
        connect: @escaping @Sendable () throws -> Connection
    ) throws -> (routes: ServeRoutes, committer: GroupCommitter) {
        let configuration = try ServeConfiguration.parse(yaml: yaml, origin: "the test")
        let committer = GroupCommitter(
            connect: connect, now: { 1_793_491_200_000_000 }, maxQueuedRecords: 1_000, maxGroupRecords: 1_000)
        let metrics = ServeMetrics()
        let feedHealth = FeedHealth()
        let routes = ServeRoutes(
            handler: PushHandler(
                configuration: configuration, committer: committer, metrics: metrics, health: feedHealth),
            health: HealthCheck(connect: connect), feedHealth: feedHealth, metrics: metrics, committer: committer)
        return (routes, committer)
    }

    @Test func pushesAreAuthenticatedRoutedAndAnsweredAfterTheirCommit() async throws {
        let conninfo = try TestDatabase.createMigrated(prefix: "route")
        let (routes, committer) = try Self.routes(connect: { try Connection(conninfo) })
        defer { committer.stop() }
        let application = Application(router: routes.router())
        try await application.test(.router) { client in
            let body = ByteBuffer(string: Self.line)
            try await client.execute(
                uri: "/v1/feeds/gateway/records", method: .post,
                headers: [.authorization: Self.basic("gateway", "wrong")], body: body
            ) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Basic realm=\"cdrstore feed gateway\"")
            }
            try await client.execute(
                uri: "/v1/feeds/pbx1/records", method: .post, headers: [.authorization: Self.basic("pbx1", "s3cret")],
                body: body
            ) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains("no feed named 'pbx1' takes pushes here"))
            }
            try await client.execute(
                uri: "/v1/feeds/fs1/records", method: .post, headers: [.authorization: Self.basic("fs1", "s3cret")],
                body: body
            ) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains(#"post to \/v1\/feeds\/fs1\/freeswitch-json"#))
            }
            try await client.execute(
                uri: "/v1/feeds/gateway/records", method: .post,
                headers: [.authorization: Self.basic("gateway", "s3cret")], body: body
            ) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(#""ingested":1"#))
            }
            try await client.execute(
                uri: "/v1/feeds/fs1/freeswitch-json", method: .post,
                headers: [.authorization: Self.basic("fs1", "s3cret"), .contentType: "application/json"],
                body: ByteBuffer(string: Self.freeSWITCHDocument)
            ) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(#""ingested":1"#))
            }
        }
        let stored = try Connection(conninfo).execute(
            "SELECT feed, source, coalesce(account, '') FROM cdr.call ORDER BY feed"
        ).rows
        // The FreeSWITCH push's account is mapped by the feed's parser, as a file of it would be.
        #expect(stored == [["fs1", "0701234567", "ACME"], ["gateway", "+46701", ""]])
    }

    @Test func livenessAnswersWithoutTheDatabaseWhileHealthReportsItUnreachable() async throws {
        let (routes, committer) = try Self.routes(connect: {
            try Connection("host=/nonexistent-cdrstore-socket-folder dbname=none connect_timeout=1")
        })
        defer { committer.stop() }
        try await Application(router: routes.router()).test(.router) { client in
            try await client.execute(uri: "/livez", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ok\n")
            }
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("unreachable"))
            }
        }
    }
}
