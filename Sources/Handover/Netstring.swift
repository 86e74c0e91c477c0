/// The canonical encoding that result digests and audit hashes cover: each field as a netstring
/// (`<length in UTF-8 bytes>:<text>,`), a missing field as `-,`. The SQL side
/// (`lawful.result_digest`, `lawful.audit_canonical`) builds the same bytes.
public enum Netstring {
    /// The encoding of `fields`, in order.
    public static func encode(_ fields: [String?]) -> [UInt8] {
        var bytes: [UInt8] = []
        for field in fields {
            guard let field else {
                bytes += Array("-,".utf8)
                continue
            }
            let utf8 = Array(field.utf8)
            bytes += Array("\(utf8.count):".utf8) + utf8 + [UInt8(ascii: ",")]
        }
        return bytes
    }
}
