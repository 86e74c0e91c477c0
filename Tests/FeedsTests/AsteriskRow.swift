/// Builds Asterisk `cdr_csv` lines for the tests of this target (which cannot use TestSupport):
/// the 16 standard columns, quoted as Asterisk writes them, then any extra columns.
struct AsteriskRow: Sendable {
    var account = "acme"
    var source = "0701234567"
    var destination = "0046812345678"
    var context = "from-internal"
    var callerID = "\"Alice\" <0701234567>"
    var channel = "SIP/alice-0000002a"
    var destinationChannel = "SIP/trunk-0000002b"
    var lastApp = "Dial"
    var lastData = "SIP/trunk/0046812345678,60"
    var start = "2026-10-11 14:03:27"
    var answer: String? = "2026-10-11 14:03:30"
    var end = "2026-10-11 14:05:30"
    var duration = "123"
    var billsec = "120"
    var disposition = "ANSWERED"
    var amaFlags = "DOCUMENTATION"
    /// Columns after the 16th (uniqueid, userfield, peeraccount, linkedid, sequence), quoted.
    var extra: [String] = ["1760184207.42", ""]
    /// Quote the text fields (as Asterisk does); false writes every field bare.
    var quoted = true
    var lineEnd = "\n"

    /// The fields as they appear in the file, quotes included.
    var encodedFields: [String] {
        func text(_ value: String) -> String {
            quoted ? "\"" + value.replacingAll("\"", with: "\"\"") + "\"" : value
        }
        let answerField = answer.map(text) ?? ""
        return [
            text(account), text(source), text(destination), text(context), text(callerID), text(channel),
            text(destinationChannel), text(lastApp), text(lastData), text(start), answerField, text(end), duration,
            billsec, text(disposition), text(amaFlags),
        ] + extra.map(text)
    }

    /// The whole line, line end included.
    var text: String { encodedFields.joined(separator: ",") + lineEnd }

    /// The line's bytes.
    var bytes: [UInt8] { Array(text.utf8) }

    /// The line's bytes with the first occurrence of `marker` replaced by raw bytes (e.g. invalid UTF-8).
    func bytes(replacing marker: String, with replacement: [UInt8]) -> [UInt8] {
        let line = bytes
        let needle = Array(marker.utf8)
        for index in 0...(line.count - needle.count) where Array(line[index..<(index + needle.count)]) == needle {
            return Array(line[..<index]) + replacement + Array(line[(index + needle.count)...])
        }
        preconditionFailure("marker \(marker) not in line")
    }
}

extension String {
    /// Every occurrence of `target` replaced (kept here so that the tests need not import Foundation).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
