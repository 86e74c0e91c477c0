import CDRModel
import Feeds

/// A record's identity within its feed: the first 16 bytes of SHA-256 of its raw bytes, or of its
/// record key for formats that merge several lines into one call per key.
struct RecordHash: Hashable, Sendable {
    let high: UInt64
    let low: UInt64

    /// True when `call`'s identity in `format` is its record key: the format identifies calls by
    /// key (`FeedFormat.identifiesCallsByKey`) and the call has one.
    static func isKeyed(_ call: CallRecord, format: FeedFormat) -> Bool {
        format.identifiesCallsByKey && call.recordKey != nil
    }

    /// The identity of `call`, read from `raw` in `format`: its record key when `isKeyed`, else
    /// its raw bytes.
    init(of call: CallRecord, raw: UnsafeRawBufferPointer, format: FeedFormat) {
        if Self.isKeyed(call, format: format), let key = call.recordKey {
            let bytes = Array("\(format.rawValue) record key\u{0}\(key)".utf8)
            self = bytes.withUnsafeBytes { RecordHash(raw: $0) }
        } else {
            self.init(raw: raw)
        }
    }

    /// Hashes a record's raw bytes.
    init(raw: UnsafeRawBufferPointer) {
        (high, low) = SHA256Digest.first128Bits(of: raw)
    }

    /// Takes the first 16 bytes of a digest.
    init(bytes: some Collection<UInt8>) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in bytes.prefix(16).enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.high = high
        self.low = low
    }

    /// The 16 bytes, as stored in `cdr.call.record_hash`.
    var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
    }
}
