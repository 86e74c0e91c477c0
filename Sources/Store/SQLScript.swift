import Foundation
import Postgres

/// An SQL script cut into its statements, to send them one by one (one simple-protocol call runs
/// a whole script in one transaction, as one query text).
enum SQLScript {
    /// The script's statements, each with its closing `;`, in order; semicolons inside quotes,
    /// dollar quotes (`$$`, `$body$`) and `--` comments do not end a statement. Comment-only and
    /// blank text between statements is dropped.
    static func statements(_ script: String) -> [String] {
        let text = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var index = 0
        var hasCode = false
        func finish() {
            if hasCode { statements.append(String(current).trimmingCharacters(in: .whitespacesAndNewlines)) }
            current = String.UnicodeScalarView()
            hasCode = false
        }
        while index < text.count {
            let scalar = text[index]
            if scalar == "-", index + 1 < text.count, text[index + 1] == "-" {
                while index < text.count, text[index] != "\n" {
                    current.append(text[index])
                    index += 1
                }
                continue
            }
            if scalar == "'" {
                let end = text[(index + 1)...].firstIndex(of: "'").map { $0 + 1 } ?? text.count
                current.append(contentsOf: text[index..<end])
                hasCode = true
                index = end
                continue
            }
            if scalar == "$", let tagEnd = text[(index + 1)...].firstIndex(of: "$"),
                text[(index + 1)..<tagEnd].allSatisfy({ $0.properties.isAlphabetic || $0 == "_" })
            {
                let tag = Array(text[index...tagEnd])
                var end = tagEnd + 1
                while end + tag.count <= text.count, Array(text[end..<(end + tag.count)]) != tag { end += 1 }
                end = min(end + tag.count, text.count)
                current.append(contentsOf: text[index..<end])
                hasCode = true
                index = end
                continue
            }
            current.append(scalar)
            if !scalar.properties.isWhitespace { hasCode = true }
            index += 1
            if scalar == ";" { finish() }
        }
        finish()
        return statements
    }

    /// Runs the script one statement per call, in the caller's transaction if there is one. Each
    /// statement is then the whole query text the server sees: Citus passes a propagated DDL
    /// statement's query text on to its workers, which refuse several statements in one.
    static func run(_ script: String, on connection: Connection) throws {
        for statement in statements(script) { try connection.executeScript(statement) }
    }
}
