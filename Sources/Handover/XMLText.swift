/// Text made safe to stand as XML 1.0 character data or an attribute value.
enum XMLText {
    /// `text` with `&`, `<`, `>`, `"` and `'` written as entities, carriage return as `&#13;` (so a
    /// parser does not turn it into a line feed), and every character XML 1.0 does not allow (control
    /// characters other than tab, line feed and carriage return; U+FFFE; U+FFFF) replaced by U+FFFD.
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { replacement(for: $0) != nil }) else { return text }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            if let replacement = replacement(for: scalar) {
                escaped += replacement
            } else {
                escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// What `scalar` is written as, or nil when it stands for itself.
    private static func replacement(for scalar: Unicode.Scalar) -> String? {
        switch scalar {
        case "&": "&amp;"
        case "<": "&lt;"
        case ">": "&gt;"
        case "\"": "&quot;"
        case "'": "&apos;"
        case "\r": "&#13;"
        case "\t", "\n": nil
        case "\u{FFFE}", "\u{FFFF}": "\u{FFFD}"
        default: scalar.value < 0x20 ? "\u{FFFD}" : nil
        }
    }
}
