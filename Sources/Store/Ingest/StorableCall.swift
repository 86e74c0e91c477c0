import CDRModel
import Foundation

/// What PostgreSQL would refuse in a parsed call, found before the call reaches COPY, so that the
/// call is refused alone instead of failing its whole batch.
enum StorableCall {
    /// The longest text field stored, in bytes: far above any number, SIP URI or user agent, and
    /// below what a btree index entry may hold (2,704 bytes).
    static let maxFieldBytes = 1_024

    /// Why `call` cannot be stored as it is (a text field holding a NUL byte, which a text column
    /// cannot hold, or longer than `maxFieldBytes`), naming the field; nil when PostgreSQL will
    /// take it.
    static func refusal(of call: CallRecord) -> String? {
        let texts: [(name: String, value: String?)] = [
            ("source", call.source), ("destination", call.destination), ("equipment", call.equipment),
            ("account", call.account), ("record_key", call.recordKey), ("linked_key", call.linkedKey),
        ]
        for (name, value) in texts {
            guard let bytes = value?.utf8 else { continue }
            if bytes.contains(0) {
                return "\(name) holds a NUL byte (0x00), which PostgreSQL cannot store in text; the raw record keeps it"
            }
            if bytes.count > maxFieldBytes {
                return
                    "\(name) is \(bytes.count) bytes long; at most \(maxFieldBytes) are stored; the raw record keeps it"
            }
        }
        return nil
    }

    /// `text` with each NUL byte written as `\0`, for a message or reason stored in a text column.
    static func printable(_ text: String) -> String {
        text.utf8.contains(0) ? text.replacingOccurrences(of: "\u{0}", with: "\\0") : text
    }
}
