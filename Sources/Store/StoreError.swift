/// A failure of a store operation, as one sentence that says what to do.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// The sentence.
    public let description: String
    /// Creates an error.
    public init(_ description: String) { self.description = description }

    /// The database has no cdrstore schema, or an older one.
    static let schemaMissing = StoreError(
        "the database has no cdrstore schema (or an older one than this cdrstore needs); run cdrstore migrate")
}
