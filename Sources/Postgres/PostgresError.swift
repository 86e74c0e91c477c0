import CLibPQ
import Foundation

/// An error from libpq or the PostgreSQL server, with the server's SQLSTATE when there is one.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, in broad terms.
    public enum Kind: String, Sendable {
        /// The connection could not be opened or was lost.
        case connection
        /// The server refused a statement.
        case server
        /// The COPY protocol failed.
        case copy
        /// A result did not have the expected shape.
        case protocolViolation
    }

    /// The broad kind of failure.
    public let kind: Kind
    /// The five-character SQLSTATE, e.g. `23505`, when the server sent one.
    public let sqlState: String?
    /// The primary message.
    public let message: String
    /// The server's DETAIL field, if any.
    public let detail: String?
    /// The server's HINT field, if any.
    public let hint: String?

    /// Creates an error.
    public init(kind: Kind, sqlState: String? = nil, message: String, detail: String? = nil, hint: String? = nil) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
    }

    /// Reads the fields of a failed libpq result.
    init(result: OpaquePointer, kind: Kind = .server) {
        func field(_ code: Int32) -> String? {
            guard let pointer = PQresultErrorField(result, code) else { return nil }
            return String(cString: pointer)
        }
        let primary =
            field(Int32(UInt8(ascii: "M")))
            ?? String(cString: PQresultErrorMessage(result)).trimmingTrailingNewlines()
        self.init(
            kind: kind,
            sqlState: field(Int32(UInt8(ascii: "C"))),
            message: primary,
            detail: field(Int32(UInt8(ascii: "D"))),
            hint: field(Int32(UInt8(ascii: "H")))
        )
    }

    /// True when the server reported a unique-key violation (SQLSTATE 23505).
    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// The message on one line (libpq's connection messages span several), then the SQLSTATE,
    /// detail and hint when present.
    public var description: String {
        var text = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: " ")
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let detail { text += "; detail: \(detail)" }
        if let hint { text += "; hint: \(hint)" }
        return text
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var text = self
        while let last = text.last, last.isNewline { text.removeLast() }
        return text
    }
}
