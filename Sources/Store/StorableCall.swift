import CDRModel
import Foundation

/// What PostgreSQL would refuse in a parsed call, found before the call reaches COPY, so that the
/// call is refused alone instead of failing its whole batch.
enum StorableCall {
    /// Why `call` cannot be stored as it is (a text field holding a NUL byte, which a text column
    /// cannot hold), naming the field; nil when PostgreSQL will take it.
    static func refusal(of call: CallRecord) -> String? {
        let texts: [(name: String, value: String?)] = [
            ("source", call.source), ("destination", call.destination), ("equipment", call.equipment),
            ("account", call.account), ("record_key", call.recordKey), ("linked_key", call.linkedKey),
        ]
        for (name, value) in texts where value?.utf8.contains(0) == true {
            return "\(name) holds a NUL byte (0x00), which PostgreSQL cannot store in text; the raw record keeps it"
        }
        return nil
    }

    /// `text` with each NUL byte written as `\0`, for a message or reason stored in a text column.
    static func printable(_ text: String) -> String {
        text.utf8.contains(0) ? text.replacingOccurrences(of: "\u{0}", with: "\\0") : text
    }
}
