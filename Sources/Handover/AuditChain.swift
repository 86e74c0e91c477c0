import CDRModel

/// Recomputes the audit log's hash chain and names the first entry that breaks it.
public enum AuditChain {
    /// The hash that stands before entry 1.
    public static let genesis = String(repeating: "0", count: 64)

    /// Where the chain first breaks.
    public struct Break: Sendable, Equatable, CustomStringConvertible {
        /// The sequence number of the first bad entry (or of the first missing one).
        public var sequence: Int64
        /// What is wrong with it, in words.
        public var reason: String
        /// "audit entry N: reason".
        public var description: String { "audit entry \(sequence): \(reason)" }

        /// Creates a break.
        public init(sequence: Int64, reason: String) {
            self.sequence = sequence
            self.reason = reason
        }
    }

    /// The hash an entry must have, given the hash before it.
    public static func hash(of entry: AuditEntry, after previous: String) -> String {
        let canonical = Netstring.encode([
            String(entry.sequence), entry.at, entry.login, entry.action, entry.requestID.map(String.init),
            entry.criteria, String(entry.records), entry.resultSHA256,
        ])
        return SHA256Digest.hex(SHA256Digest.of(hexBytes(previous) + canonical))
    }

    /// Checks entries given in ascending sequence order; nil when the chain is intact.
    public static func firstBreak(in entries: [AuditEntry]) -> Break? {
        var expectedSequence: Int64 = 1
        var previous = genesis
        for entry in entries {
            if entry.sequence > expectedSequence {
                return Break(
                    sequence: expectedSequence,
                    reason: "is missing (the log jumps from \(expectedSequence - 1) to \(entry.sequence))")
            }
            if entry.sequence < expectedSequence {
                return Break(sequence: entry.sequence, reason: "appears twice or out of order")
            }
            if entry.previousHash != previous {
                return Break(
                    sequence: entry.sequence,
                    reason: "does not follow the entry before it (its previous hash is not that entry's hash)")
            }
            let recomputed = hash(of: entry, after: previous)
            if entry.entryHash != recomputed {
                return Break(sequence: entry.sequence, reason: "was changed (its contents do not match its hash)")
            }
            previous = entry.entryHash
            expectedSequence += 1
        }
        return nil
    }

    private static func hexBytes(_ hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var high: UInt8?
        for scalar in hex.unicodeScalars {
            guard let nibble = UInt8(String(scalar), radix: 16) else { return [] }
            if let value = high {
                bytes.append(value << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }
}
