/// The text of an `otherInformation` component as national retained-data exports write it:
/// `"Key1"="Value1";"Key2"="Value2"`.
enum OtherInformation {
    /// `pairs` in that form. In a value, `%`, `"` and `;` are written `%25`, `%22` and `%3B` so
    /// that a reader splitting at `;` and taking the text between quotes gets every value whole.
    static func text(of pairs: [(key: String, value: String)]) -> String {
        pairs.map { "\"\($0.key)\"=\"\(encoded($0.value))\"" }.joined(separator: ";")
    }

    private static func encoded(_ value: String) -> String {
        var encoded = ""
        for character in value {
            switch character {
            case "%": encoded += "%25"
            case "\"": encoded += "%22"
            case ";": encoded += "%3B"
            default: encoded.append(character)
            }
        }
        return encoded
    }
}
