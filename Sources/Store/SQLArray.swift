/// PostgreSQL array literals, for passing many values as one parameter.
enum SQLArray {
    /// `{"a","b"}`: every element quoted, `\\` and `"` escaped.
    static func literal(_ values: [String]) -> String {
        "{"
            + values.map {
                "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                    + "\""
            }
            .joined(separator: ",") + "}"
    }
}
