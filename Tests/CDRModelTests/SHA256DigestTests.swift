import CDRModel
import Testing

/// SHA-256 digests against the FIPS 180-2 test vectors.
struct SHA256DigestTests {
    @Test(
        "Known vectors",
        arguments: [
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
        ])
    func knownVectors(text: String, hex: String) {
        let digest = SHA256Digest.of(Array(text.utf8))
        #expect(digest.count == 32)
        #expect(SHA256Digest.hex(digest) == hex)
    }

    @Test("One million times 'a'")
    func millionA() {
        let digest = SHA256Digest.of([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
        #expect(SHA256Digest.hex(digest) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("A slice of a buffer is hashed alone")
    func slice() {
        let bytes = Array("xxabcyy".utf8)
        let digest = bytes.withUnsafeBytes { SHA256Digest.of(UnsafeRawBufferPointer(rebasing: $0[2..<5])) }
        #expect(SHA256Digest.hex(digest) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("An empty buffer without storage hashes as the empty string")
    func emptyBuffer() {
        let digest = SHA256Digest.of(UnsafeRawBufferPointer(start: nil, count: 0))
        #expect(SHA256Digest.hex(digest) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("hex writes two lower-case digits per byte")
    func hex() {
        #expect(SHA256Digest.hex([0x00, 0x0F, 0xF0, 0xFF, 0xA5]) == "000ff0ffa5")
        #expect(SHA256Digest.hex([]) == "")
    }
}
