import CCrypto

/// SHA-256 digests, used for record identity and file fingerprints.
public enum SHA256Digest {
    /// The 32-byte SHA-256 of `bytes`.
    public static func of(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { output, count in
            cdrstore_sha256(bytes.baseAddress, bytes.count, output.baseAddress)
            count = 32
        }
    }

    /// The first 16 bytes of the SHA-256 of `bytes` as two big-endian integers, without allocating.
    public static func first128Bits(of bytes: UnsafeRawBufferPointer) -> (high: UInt64, low: UInt64) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digest in
            cdrstore_sha256(bytes.baseAddress, bytes.count, digest.baseAddress)
            var high: UInt64 = 0
            var low: UInt64 = 0
            for index in 0..<8 {
                high = high << 8 | UInt64(digest[index])
                low = low << 8 | UInt64(digest[index + 8])
            }
            return (high, low)
        }
    }

    /// The 32-byte SHA-256 of an array of bytes.
    public static func of(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { of($0) }
    }

    /// Lower-case hexadecimal text of a digest.
    public static func hex(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(digest.count * 2)
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
