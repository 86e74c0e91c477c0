import Foundation

/// The user name and password of an HTTP `Authorization: Basic` header.
struct BasicCredentials {
    let username: String
    let password: String

    init?(_ header: String?) {
        guard let header, header.count > 6, header.prefix(6).lowercased() == "basic ",
            let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        username = String(text[..<colon])
        password = String(text[text.index(after: colon)...])
    }

    /// True when both the user name and the password are the configured ones.
    func matches(_ configured: ServeConfiguration.PushCredentials) -> Bool {
        let sameUser = constantTimeEqual(username, configured.username)
        let samePassword = constantTimeEqual(password, configured.password)
        return sameUser && samePassword
    }
}

/// Compares without stopping at the first difference, so the time taken does not tell how much matched.
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let left = Array(a.utf8)
    let right = Array(b.utf8)
    var difference = UInt8(left.count == right.count ? 0 : 1)
    for index in 0..<min(left.count, right.count) { difference |= left[index] ^ right[index] }
    return difference == 0
}
