/// A value bound to a `$n` placeholder; sent apart from the SQL text, never spliced into it.
public enum QueryParameter: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    /// A value in PostgreSQL's text input format for the parameter's type.
    case text(String)
    /// Raw bytes for a `bytea` parameter.
    case bytes([UInt8])
    /// SQL NULL.
    case null

    /// Creates a text parameter from a literal.
    public init(stringLiteral value: String) { self = .text(value) }
    /// Creates a text parameter from an integer literal.
    public init(integerLiteral value: Int) { self = .text(String(value)) }

    /// A text parameter, or NULL when the value is nil.
    public static func optional(_ value: String?) -> QueryParameter {
        value.map(QueryParameter.text) ?? .null
    }
}
