import Foundation

/// Temporary files for tests, removed when the `TemporaryFolder` is.
public final class TemporaryFolder: @unchecked Sendable {
    /// The folder's path.
    public let path: String

    /// Creates an empty folder under the system's temporary directory.
    public init() throws {
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("cdrstore-fixture-\(UInt64.random(in: 0...UInt64.max))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `bytes` to `name` in the folder and returns its path.
    @discardableResult
    public func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    /// Writes UTF-8 text to `name` in the folder and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        try write(name, Array(text.utf8))
    }

    /// Appends text to a file in the folder.
    public func append(_ name: String, _ text: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path + "/" + name))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }
}

/// Builders of Asterisk `cdr_csv` lines for tests.
public enum AsteriskLine {
    /// An 18-column line (`loguniqueid`, `loguserfield`) with the given parts.
    public static func make(
        account: String = "acme", source: String = "0701234567", destination: String = "0046812345678",
        start: String = "2026-10-11 14:03:27", answer: String? = "2026-10-11 14:03:30",
        end: String = "2026-10-11 14:05:30", duration: String = "123", billsec: String = "120",
        disposition: String = "ANSWERED", uniqueID: String = "1760184207.42", callerName: String = "Alice",
        channel: String = "SIP/alice-0000002a", lastApp: String = "Dial"
    ) -> String {
        let answerField = answer.map { "\"\($0)\"" } ?? ""
        return
            "\"\(account)\",\"\(source)\",\"\(destination)\",\"from-internal\",\"\"\"\(callerName)\"\" <\(source)>\","
            + "\"\(channel)\",\"SIP/trunk-0000002b\",\"\(lastApp)\",\"SIP/trunk/\(destination),60\","
            + "\"\(start)\",\(answerField),\"\(end)\",\(duration),\(billsec),\"\(disposition)\",\"DOCUMENTATION\","
            + "\"\(uniqueID)\",\"\"\n"
    }
}
