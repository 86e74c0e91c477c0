/// One entry of the lawful-access audit log as stored, hashes in hexadecimal.
public struct AuditEntry: Sendable, Equatable {
    /// Its place in the chain, from 1.
    public var sequence: Int64
    /// When it was written, ISO 8601 UTC with microseconds.
    public var at: String
    /// The database login that acted.
    public var login: String
    /// `lookup`, `export`, `subject-export`, `request-create`, `request-approve`, `request-close`,
    /// `hold-place` or `hold-extend`.
    public var action: String
    /// The legal request it concerns, if any.
    public var requestID: Int64?
    /// The criteria, as the JSON text that was hashed.
    public var criteria: String
    /// How many records were returned.
    public var records: Int64
    /// The SHA-256 of the result set or exported file, if something was read.
    public var resultSHA256: String?
    /// The hash of the entry before it (64 zeros for the first).
    public var previousHash: String
    /// Its own hash: SHA-256 of the previous hash's bytes followed by its canonical encoding.
    public var entryHash: String

    /// Creates an entry.
    public init(
        sequence: Int64, at: String, login: String, action: String, requestID: Int64?, criteria: String,
        records: Int64, resultSHA256: String?, previousHash: String, entryHash: String
    ) {
        self.sequence = sequence
        self.at = at
        self.login = login
        self.action = action
        self.requestID = requestID
        self.criteria = criteria
        self.records = records
        self.resultSHA256 = resultSHA256
        self.previousHash = previousHash
        self.entryHash = entryHash
    }
}
