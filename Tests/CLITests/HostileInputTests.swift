import Foundation
import Postgres
import TestSupport
import Testing

/// Input PostgreSQL would refuse, from a careless or hostile sender: the record is refused alone
/// with its raw bytes and a reason naming the field, and the records around it still land.
@Suite struct HostileInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let format: String
        let field: String
        /// Two good records and, between them, one holding a NUL byte.
        let lines: [[UInt8]]
        var testDescription: String { "\(format) \(field)" }
    }

    static let day = ServeFixtures.yesterday
    static let start = Int64(ServeFixtures.yesterdayNoonEpoch) * 1_000_000

    static func freeSWITCH(_ uuid: String, to callee: String) -> [UInt8] {
        Array(
            (#"{"variables":{"uuid":"\#(uuid)","sip_from_user":"0701234567","sip_to_user":"\#(callee)","hangup_cause":"USER_BUSY","start_uepoch":"\#(start)","answer_uepoch":"0","end_uepoch":"\#(start + 5_000_000)"}}"#
                + "\n").utf8)
    }

    static func asterisk(_ key: String) -> [UInt8] { Array(ServeFixtures.asteriskLine(key: key).utf8) }

    /// `bytes` with the first occurrence of `text` replaced by `replacement`.
    static func replacing(_ text: String, with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        let pattern = Array(text.utf8)
        let index = (0...(bytes.count - pattern.count)).first { Array(bytes[$0..<$0 + pattern.count]) == pattern }!
        return Array(bytes[..<index]) + replacement + Array(bytes[(index + pattern.count)...])
    }

    static let cases = [
        Case(
            format: "cdr-jsonl", field: "destination",
            lines: [
                Array(ServeFixtures.canonicalLine(key: "j1").utf8),
                Array(
                    ServeFixtures.canonicalLine(key: "j2").replacingOccurrences(
                        of: "+46812345678", with: #"+4681\u00002345678"#
                    ).utf8), Array(ServeFixtures.canonicalLine(key: "j3").utf8),
            ]),
        Case(
            format: "freeswitch-json", field: "destination",
            lines: [
                freeSWITCH("f1", to: "0812345678"), freeSWITCH("f2", to: "0812%00345678"),
                freeSWITCH("f3", to: "0812345678"),
            ]),
        Case(
            format: "asterisk-csv", field: "destination",
            lines: [
                asterisk("a1"),
                replacing(
                    "0046812345678", with: Array("0046812".utf8) + [0] + Array("345678".utf8), in: asterisk("a2")),
                asterisk("a3"),
            ]),
        Case(
            format: "asterisk-csv", field: "record_key",
            lines: [
                asterisk("u1"), replacing("u2", with: [UInt8(ascii: "u"), 0, UInt8(ascii: "2")], in: asterisk("u2")),
                asterisk("u3"),
            ]),
    ]

    @Test(arguments: cases)
    func aNULByteIsRefusedAloneAndTheRecordsAroundItLand(_ testCase: Case) throws {
        let conninfo = try TestDatabase.createMigrated(prefix: "nul")
        let folder = try TemporaryFolder()
        let file = try folder.write("feed", Array(testCase.lines.joined()))
        let arguments = [
            "ingest", "--db", conninfo, "--feed", "f", "--format", testCase.format, "--country-code", "46", file,
        ]
        for _ in 0..<2 {
            let run = try CLIRunner.run(arguments)
            #expect(run.status == 0, "\(run.stderr)")
        }
        let connection = try Connection(conninfo)
        #expect(try connection.execute("SELECT count(*) FROM cdr.call").scalar == "2")
        let rejects = try connection.execute("SELECT reason, encode(raw, 'hex'), line_number FROM cdr.reject")
        let delivered = testCase.lines[1].dropLast().map { String(format: "%02x", $0) }.joined()
        #expect(
            rejects.rows
                == [
                    [
                        "\(testCase.field) holds a NUL byte (0x00), which PostgreSQL cannot store in text; the raw record keeps it",
                        delivered, "2",
                    ]
                ])
    }

    /// One push holding a NUL byte among many good ones on the same feed, at once: the good ones
    /// are stored, the bad one is refused, and nobody gets a 503.
    @Test func aNULBytePushFailsNoOtherPush() throws {
        let conninfo = try TestDatabase.createMigrated(prefix: "nulpush")
        let folder = try TemporaryFolder()
        let server = try ServeFixtures.pushServer(conninfo: conninfo, configIn: folder)
        defer { _ = server.terminate() }
        let bodies = (0..<60).map { index in
            index == 30
                ? ServeFixtures.canonicalLine(key: "bad").replacingOccurrences(
                    of: "+46812345678", with: #"+4681\u00002345678"#) : ServeFixtures.canonicalLine(key: "p\(index)")
        }
        let statuses = Statuses()
        DispatchQueue.concurrentPerform(iterations: bodies.count) { index in
            let answer = try? LoopbackHTTP.request(
                port: server.port, path: "/v1/feeds/gw/records",
                headers: ["Authorization": LoopbackHTTP.basic(user: "gw", password: "s3cret")],
                body: Array(bodies[index].utf8), timeoutSeconds: 30)
            statuses.set(index, answer?.status ?? -1)
        }
        let answers = statuses.all
        #expect(answers.filter { $0.key != 30 }.values.allSatisfy { $0 == 200 }, "\(answers)")
        let connection = try Connection(conninfo)
        #expect(try connection.execute("SELECT count(*) FROM cdr.call").scalar == "59")
        #expect(
            try connection.execute("SELECT reason FROM cdr.reject").rows
                == [
                    [
                        "destination holds a NUL byte (0x00), which PostgreSQL cannot store in text; the raw record keeps it"
                    ]
                ])
    }
}

extension HostileInputTests {
    /// A push of 100,000 lines that are not records: refused whole with a 400 that says why,
    /// nothing stored, and the next good push on the feed is stored; a push with at most 1,000
    /// refused records stores its good ones and its refusals.
    @Test func aPushFloodOfBadLinesIsRefusedWholeAndBounded() throws {
        let conninfo = try TestDatabase.createMigrated(prefix: "flood")
        let folder = try TemporaryFolder()
        let server = try ServeFixtures.pushServer(conninfo: conninfo, configIn: folder)
        defer { _ = server.terminate() }
        func push(_ body: String) throws -> LoopbackHTTP.Response {
            try LoopbackHTTP.request(
                port: server.port, path: "/v1/feeds/gw/records",
                headers: ["Authorization": LoopbackHTTP.basic(user: "gw", password: "s3cret")],
                body: Array(body.utf8), timeoutSeconds: 60)
        }
        let flood = try push(String(repeating: "x\n", count: 100_000))
        #expect(flood.status == 400)
        #expect(
            flood.body.contains(
                "more than 1000 records of this push are refused (the first, line 1: "),
            "\(flood.body.prefix(300))")
        #expect(flood.body.contains("the push is refused whole and nothing of it is stored"))
        let connection = try Connection(conninfo)
        #expect(try connection.execute("SELECT count(*) FROM cdr.reject").scalar == "0")
        let good = try push(ServeFixtures.canonicalLine(key: "after"))
        #expect(good.status == 200)
        let mixed = try push(String(repeating: "x\n", count: 1_000) + ServeFixtures.canonicalLine(key: "mixed"))
        #expect(mixed.status == 200)
        #expect(mixed.body.hasPrefix(#"{"ingested":1,"duplicates":0,"rejected":1000,"#), "\(mixed.body.prefix(200))")
        #expect(try connection.execute("SELECT count(*) FROM cdr.call").scalar == "2")
        #expect(
            try connection.execute("SELECT count(*), count(DISTINCT line_number) FROM cdr.reject").rows == [
                ["1000", "1000"]
            ])
    }

    /// A file of 100,000 refused lines and one good one: every refusal stored (by COPY, in the
    /// batch's transaction), the good line too.
    @Test func aFileOfRefusedLinesStoresEveryRefusal() throws {
        let conninfo = try TestDatabase.createMigrated(prefix: "rejectfile")
        let folder = try TemporaryFolder()
        let file = try folder.write(
            "flood.jsonl", String(repeating: "x\n", count: 100_000) + ServeFixtures.canonicalLine(key: "good"))
        let run = try CLIRunner.run(["ingest", "--db", conninfo, "--feed", "f", "--format", "cdr-jsonl", file])
        #expect(run.status == 0, "\(run.stderr)")
        let connection = try Connection(conninfo)
        #expect(try connection.execute("SELECT count(*) FROM cdr.call").scalar == "1")
        let rejects = try connection.execute(
            """
            SELECT count(*), min(line_number), max(line_number), count(*) FILTER (WHERE raw = 'x'::bytea)
            FROM cdr.reject
            """)
        #expect(rejects.rows == [["100000", "1", "100000", "100000"]])
    }
}

/// A record the server refuses though it passed every check made before COPY (here a constraint
/// a DBA added to `cdr.call`): the batch is tried again in parts to find it, the record goes to
/// `cdr.reject` with its raw bytes and the server's reason, and the rest lands, once.
@Suite struct ServerRefusalTests {
    static let refusedNumber = "+46899999999"

    /// A migrated database whose `cdr.call` refuses calls to `refusedNumber`.
    static func databaseRefusingOneNumber(prefix: String) throws -> (String, Connection) {
        let conninfo = try TestDatabase.createMigrated(prefix: prefix)
        let connection = try Connection(conninfo)
        try connection.execute(
            "ALTER TABLE cdr.call ADD CONSTRAINT call_not_to_the_test_number CHECK (destination <> '\(refusedNumber)')")
        return (conninfo, connection)
    }

    static func line(key: String, to destination: String = "+46812345678") -> String {
        ServeFixtures.canonicalLine(key: key).replacingOccurrences(of: "+46812345678", with: destination)
    }

    static let reason =
        #"PostgreSQL refused the record: new row for relation "call_p\#(ServeFixtures.yesterday.replacingOccurrences(of: "-", with: ""))" violates check constraint "call_not_to_the_test_number""#

    @Test func aFileStoresEverythingButTheRefusedRecords() throws {
        let (conninfo, connection) = try Self.databaseRefusingOneNumber(prefix: "srvrefuse")
        let lines = (0..<2_500).map { index in
            Self.line(key: "k\(index)", to: [7, 1_234, 2_499].contains(index) ? Self.refusedNumber : "+46812345678")
        }
        let folder = try TemporaryFolder()
        let file = try folder.write("calls.jsonl", lines.joined())
        let arguments = [
            "ingest", "--db", conninfo, "--feed", "f", "--format", "cdr-jsonl", "--batch-size", "1000", "--json", file,
        ]
        let first = try CLIRunner.run(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains(#""ingested":2497"#), "\(first.stdout)")
        #expect(first.stdout.contains(#""rejected":3"#), "\(first.stdout)")
        let again = try CLIRunner.run(arguments)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(
            try connection.execute("SELECT count(*), count(DISTINCT record_key) FROM cdr.call").rows == [
                ["2497", "2497"]
            ])
        let rejects = try connection.execute(
            "SELECT line_number, convert_from(raw, 'UTF8'), reason FROM cdr.reject ORDER BY line_number")
        #expect(
            rejects.rows
                == [8, 1_235, 2_500].map { line in
                    [String(line), String(lines[line - 1].dropLast()), Self.reason]
                })
    }

    /// A field too long for the store's indexes is refused before COPY, naming the field.
    @Test func aFieldOverOneKiBIsRefusedAloneBeforeCOPY() throws {
        let conninfo = try TestDatabase.createMigrated(prefix: "longfield")
        let folder = try TemporaryFolder()
        // Incompressible, so that PostgreSQL could not squeeze it into an index entry either.
        let long =
            "sip:" + (0..<300).map { String(format: "%08x", UInt32(truncatingIfNeeded: $0 &* 2_654_435_761)) }.joined()
        let file = try folder.write(
            "calls.jsonl", Self.line(key: "a") + Self.line(key: "b", to: long) + Self.line(key: "c"))
        let run = try CLIRunner.run(["ingest", "--db", conninfo, "--feed", "f", "--format", "cdr-jsonl", file])
        #expect(run.status == 0, "\(run.stderr)")
        let connection = try Connection(conninfo)
        #expect(
            try connection.execute("SELECT string_agg(record_key, ',' ORDER BY record_key) FROM cdr.call").scalar
                == "a,c")
        #expect(
            try connection.execute("SELECT reason FROM cdr.reject").rows == [
                ["destination is 2404 bytes long; at most 1024 are stored; the raw record keeps it"]
            ])
    }

    @Test func aPushStoresItsGoodRecordsAndNamesTheRefusedOne() throws {
        let (conninfo, connection) = try Self.databaseRefusingOneNumber(prefix: "srvrefusepush")
        let folder = try TemporaryFolder()
        let server = try ServeFixtures.pushServer(conninfo: conninfo, configIn: folder)
        defer { _ = server.terminate() }
        let body = Self.line(key: "a") + Self.line(key: "b", to: Self.refusedNumber) + Self.line(key: "c")
        let answer = try LoopbackHTTP.request(
            port: server.port, path: "/v1/feeds/gw/records",
            headers: ["Authorization": LoopbackHTTP.basic(user: "gw", password: "s3cret")], body: Array(body.utf8))
        #expect(answer.status == 200)
        #expect(
            answer.body.hasPrefix(#"{"ingested":2,"duplicates":0,"rejected":1,"rejects":[{"line":2,"#), "\(answer.body)"
        )
        #expect(
            try connection.execute("SELECT string_agg(record_key, ',' ORDER BY record_key) FROM cdr.call").scalar
                == "a,c")
        let reasons = try connection.execute("SELECT reason FROM cdr.reject").rows
        #expect(reasons == [[Self.reason]], "\(reasons)")
    }
}

/// The HTTP statuses of concurrent requests, by request.
private final class Statuses: @unchecked Sendable {
    private let lock = NSLock()
    private var statuses: [Int: Int] = [:]

    func set(_ index: Int, _ status: Int) { lock.withLock { statuses[index] = status } }
    var all: [Int: Int] { lock.withLock { statuses } }
}
