/// PostgreSQL's text COPY format.
enum CopyText {
    /// One line (with its newline) of tab-separated fields, nil as `\N`.
    static func line(_ fields: [String?]) -> String {
        fields.map { $0.map(escape) ?? "\\N" }.joined(separator: "\t") + "\n"
    }

    /// A field with backslash, tab, newline and carriage return escaped.
    static func escape(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return value }
        var result = ""
        for character in value {
            switch character {
            case "\\": result += "\\\\"
            case "\t": result += "\\t"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            default: result.append(character)
            }
        }
        return result
    }
}
