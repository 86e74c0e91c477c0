import Foundation
import TestSupport
import Testing

@testable import Postgres

/// The libpq wrapper against a real server: parameters, errors, transactions, binary COPY.
@Suite struct ConnectionTests {
    let connection: Connection

    init() throws {
        connection = try Connection(try TestDatabase.createEmpty(prefix: "pg"))
    }

    @Test func parametersTravelApartFromTheSQLText() throws {
        let hostile = "'); DROP TABLE x; --"
        let result = try connection.execute(
            "SELECT $1::text AS echoed, $2::int + 1 AS next, $3::text IS NULL AS missing",
            [.text(hostile), 41, .null])
        #expect(result.columns == ["echoed", "next", "missing"])
        #expect(result.rows == [[hostile, "42", "t"]])
    }

    @Test func byteaParametersAreBinary() throws {
        let bytes: [UInt8] = [0, 1, 0xFF, 0x5C, 0x27]
        let result = try connection.execute("SELECT $1::bytea", [.bytes(bytes)])
        #expect(result.scalar.flatMap(ByteaText.decode) == bytes)
    }

    @Test func serverErrorsCarrySQLStateAndDetail() throws {
        try connection.execute("CREATE TABLE unique_thing (id int PRIMARY KEY)")
        try connection.execute("INSERT INTO unique_thing VALUES (1)")
        let error = try #require(throws: PostgresError.self) {
            try connection.execute("INSERT INTO unique_thing VALUES (1)")
        }
        #expect(error.sqlState == "23505")
        #expect(error.isUniqueViolation)
        #expect(error.detail?.contains("(id)=(1)") == true)
        #expect(error.description.contains("SQLSTATE 23505"))
    }

    @Test func transactionRollsBackWhenTheBodyThrows() throws {
        try connection.execute("CREATE TABLE tx_thing (id int)")
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try connection.transaction {
                try connection.execute("INSERT INTO tx_thing VALUES (1)")
                throw Boom()
            }
        }
        #expect(try connection.execute("SELECT count(*) FROM tx_thing").scalar == "0")
        try connection.transaction { try connection.execute("INSERT INTO tx_thing VALUES (2)") }
        #expect(try connection.execute("SELECT count(*) FROM tx_thing").scalar == "1")
    }

    @Test func binaryCopyRoundTripsEveryType() throws {
        try connection.execute(
            """
            CREATE TABLE every_type (a int2, b int4, c int8, d text, e bytea, f timestamptz, g inet, h inet, i bool, j text)
            """)
        var encoder = BinaryCopyEncoder()
        encoder.beginRow(fieldCount: 10)
        encoder.writeInt16(-7)
        encoder.writeInt32(2_000_000_000)
        encoder.writeInt64(-9_000_000_000)
        encoder.writeText("Åsa \"quoted\"\ttab")
        encoder.writeBytes([0, 0xFF])
        encoder.writeTimestamp(unixMicroseconds: 1_760_184_207_000_123)
        encoder.writeInet(address: [192, 168, 18, 188])
        encoder.writeInet(address: [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [1])
        encoder.writeBool(false)
        encoder.writeNull()
        let copied = try connection.copyIn(
            "COPY every_type FROM STDIN WITH (FORMAT binary)", chunks: [encoder.finish()])
        #expect(copied == 1)
        try connection.execute("SET TIME ZONE 'UTC'")
        let row = try connection.execute("SELECT a, b, c, d, e, f, g, h, i, j FROM every_type").rows
        #expect(
            row == [
                [
                    "-7", "2000000000", "-9000000000", "Åsa \"quoted\"\ttab", "\\x00ff",
                    "2025-10-11 12:03:27.000123+00", "192.168.18.188", "2001:db8::1", "f", nil,
                ]
            ])
    }

    @Test func copyErrorsReportTheServerMessageAndLeaveTheConnectionUsable() throws {
        try connection.execute("CREATE TABLE narrow (a int4 NOT NULL)")
        var encoder = BinaryCopyEncoder()
        encoder.beginRow(fieldCount: 1)
        encoder.writeNull()
        let error = try #require(throws: PostgresError.self) {
            try connection.copyIn("COPY narrow FROM STDIN WITH (FORMAT binary)", chunks: [encoder.finish()])
        }
        #expect(error.sqlState == "23502")
        #expect(try connection.execute("SELECT 1").scalar == "1")
    }

    @Test func unreachableServerIsAConnectionError() {
        let error = #expect(throws: PostgresError.self) {
            try Connection("host=/nonexistent-cdrstore-socket-dir port=5432 connect_timeout=2")
        }
        #expect(error?.kind == .connection)
    }
}
