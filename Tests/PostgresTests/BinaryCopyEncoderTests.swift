import Testing

@testable import Postgres

/// The binary COPY stream, byte by byte, without a server.
@Suite struct BinaryCopyEncoderTests {
    @Test func emptyStreamIsSignatureHeaderAndTrailer() {
        let bytes = BinaryCopyEncoder().finish()
        #expect(
            bytes == [
                0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00,
                0, 0, 0, 0, 0, 0, 0, 0,
                0xFF, 0xFF,
            ])
    }

    @Test func rowOfEveryTypeEncodesLengthsAndBigEndianValues() {
        var encoder = BinaryCopyEncoder()
        encoder.beginRow(fieldCount: 9)
        encoder.writeInt16(-2)
        encoder.writeInt32(0x0102_0304)
        encoder.writeInt64(1)
        encoder.writeText("é")
        encoder.writeBytes([0xDE, 0xAD])
        encoder.writeTimestamp(unixMicroseconds: BinaryCopyEncoder.postgresEpochOffsetMicroseconds + 256)
        encoder.writeInet(address: [192, 168, 18, 188])
        encoder.writeBool(true)
        encoder.writeNull()
        let body = Array(encoder.finish().dropFirst(19))
        let expected: [UInt8] =
            [0, 9]
            + [0, 0, 0, 2, 0xFF, 0xFE]
            + [0, 0, 0, 4, 1, 2, 3, 4]
            + [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1]
            + [0, 0, 0, 2, 0xC3, 0xA9]
            + [0, 0, 0, 2, 0xDE, 0xAD]
            + [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 1, 0]
            + [0, 0, 0, 8, 2, 32, 0, 4, 192, 168, 18, 188]
            + [0, 0, 0, 1, 1]
            + [0xFF, 0xFF, 0xFF, 0xFF]
            + [0xFF, 0xFF]
        #expect(body == expected)
    }

    @Test func ipv6InetUsesFamilyThreeAnd128Bits() {
        var encoder = BinaryCopyEncoder()
        encoder.writeInet(address: [UInt8](repeating: 0, count: 15) + [1])
        let field = Array(encoder.bytes.dropFirst(19))
        #expect(field.prefix(8) == [0, 0, 0, 20, 3, 128, 0, 16])
        #expect(field.count == 24)
    }

    @Test func rowCountCountsBegunRows() {
        var encoder = BinaryCopyEncoder()
        for _ in 0..<3 {
            encoder.beginRow(fieldCount: 1)
            encoder.writeNull()
        }
        #expect(encoder.rowCount == 3)
    }
}
