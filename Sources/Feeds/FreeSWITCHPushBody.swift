import Foundation

/// The JSON document inside a body that FreeSWITCH's mod_json_cdr posts (or writes to its
/// `err-log-dir` when a post fails).
///
/// mod_json_cdr sends, depending on its `encode` setting: the JSON itself (`encode=false`,
/// `application/json`); a form `cdr=<url-encoded JSON>` (`encode=true`,
/// `application/x-www-form-urlencoded`, other keys such as `uuid` possible); or a form
/// `cdr=<base64 of the JSON>` (`encode=base64`, `application/x-www-form-base64-encoded`). Its
/// `err-log-dir` backups hold the encoded text without `cdr=`, so a bare url-encoded or base64
/// body is accepted too.
public enum FreeSWITCHPushBody {
    /// The JSON document of a posted body, or a refusal saying why there is none.
    public static func document(from body: [UInt8], contentType: String?) throws(FieldRefusal) -> [UInt8] {
        let media = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        let content = body.drop { isSpace($0) }
        if media == "application/json" || content.first == UInt8(ascii: "{") { return body }
        let value = formValue(named: "cdr", in: content) ?? content
        if media != "application/x-www-form-base64-encoded" {
            let decoded = FieldValue.percentDecoded(value, plusIsSpace: true)
            if decoded.first(where: { !isSpace($0) }) == UInt8(ascii: "{") { return decoded }
        }
        let base64 = FieldValue.percentDecoded(value, plusIsSpace: false).filter { !isSpace($0) }
        guard let data = Data(base64Encoded: Data(base64)), data.first == UInt8(ascii: "{") else {
            throw FieldRefusal(
                "the body is neither JSON, nor a form with cdr=<url-encoded JSON>, nor base64 of JSON (it starts '\(String(decoding: content.prefix(40), as: UTF8.self))')"
            )
        }
        return Array(data)
    }

    /// The still-encoded value of the form key `name`, when `body` is a form that has it.
    private static func formValue(named name: String, in body: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        let key = Array(name.utf8) + [UInt8(ascii: "=")]
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true)
        where pair.starts(with: key) {
            return pair.dropFirst(key.count)
        }
        return nil
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\t")
    }
}
