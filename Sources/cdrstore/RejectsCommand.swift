import ArgumentParser
import Feeds
import Foundation
import Postgres
import Store

/// `cdrstore rejects`: what was refused, where, and why.
struct RejectsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rejects", abstract: "Show refused records.", subcommands: [List.self])

    /// `rejects list [--feed F]`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List refused records, newest first.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Only this feed.") var feed: String?
        @Option(help: "At most this many.") var limit = 100
        @Flag(help: "One JSON object per reject, with the raw bytes in base64.") var json = false

        func run() throws {
            let connection = try database.connectToCurrentSchema()
            let result = try StoreReports(connection: connection).rejects(feed: feed, limit: limit)
            for index in result.rows.indices {
                let raw = result.value(index, "raw").flatMap(ByteaText.decode) ?? []
                let location =
                    "\(result.value(index, "source_name") ?? "?") line \(result.value(index, "line_number") ?? "?") (byte \(result.value(index, "byte_offset") ?? "?"))"
                if json {
                    var writer = JSONObjectWriter()
                    writer.add("id", Int(result.value(index, "id") ?? ""))
                    writer.add("feed", result.value(index, "feed"))
                    writer.add("file", result.value(index, "source_name"))
                    writer.add("line", Int(result.value(index, "line_number") ?? ""))
                    writer.add("offset", Int(result.value(index, "byte_offset") ?? ""))
                    writer.add("reason", result.value(index, "reason"))
                    writer.add("raw", String(decoding: raw, as: UTF8.self))
                    writer.add("raw_base64", Data(raw).base64EncodedString())
                    writer.add("rejected_at", result.value(index, "rejected_at"))
                    Output.line(writer.finish())
                } else {
                    Output.line(
                        "#\(result.value(index, "id") ?? "?") [\(result.value(index, "feed") ?? "?")] \(location)")
                    Output.line("  reason: \(result.value(index, "reason") ?? "")")
                    Output.line("  raw:    \(Self.printable(raw))")
                }
            }
            if !json { Output.line("\(result.rows.count) reject\(result.rows.count == 1 ? "" : "s") shown") }
            Output.flush()
        }

        /// The raw bytes with non-printable and non-UTF-8 bytes shown as `\xNN`, cut at 300 characters.
        static func printable(_ raw: [UInt8]) -> String {
            var text = ""
            for byte in raw.prefix(300) {
                if byte >= 0x20 && byte < 0x7F {
                    text.append(Character(Unicode.Scalar(byte)))
                } else {
                    text += "\\x" + String(byte, radix: 16, uppercase: true).leftPadded(2)
                }
            }
            return raw.count > 300 ? text + "… (\(raw.count) bytes)" : text
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
