/// The `key=value` attributes of a Kamailio acc log line, as byte ranges of the line.
///
/// Values are not escaped (`to=<sip:a@b>;tag=x` holds the `;` separator), so a value ends only at
/// `;KEY=` (or `; KEY=` in dialog CDR lines) where KEY is a standard acc key, or a name that is
/// not a SIP URI or header parameter (`tag`, `transport`, `user`, `lr`, ...): a custom
/// `log_extra` name such as `egressIP` still starts a new attribute, `;tag=` stays in its value.
struct KamailioAccAttributes {
    private var pairs: [(key: Range<Int>, value: Range<Int>)] = []
    private let line: UnsafeRawBufferPointer

    /// Reads the attributes of `line` from `start`, the first key's first byte.
    init(_ line: UnsafeRawBufferPointer, from start: Int) {
        self.line = line
        var keyStart = start
        while let equals = Self.nameEnd(line, from: keyStart), equals > keyStart {
            var index = equals + 1
            var next: Int?
            while index < line.count {
                if line[index] == UInt8(ascii: ";"), let key = Self.boundaryKey(line, at: index) {
                    next = key
                    break
                }
                index += 1
            }
            pairs.append((keyStart..<equals, (equals + 1)..<index))
            guard let next else { break }
            keyStart = next
        }
    }

    /// The bytes of the first attribute named `key`, or nil when the line has none.
    func value(_ key: String) -> UnsafeRawBufferPointer? {
        let name = key.utf8
        guard let pair = pairs.first(where: { line[$0.key].elementsEqual(name) }) else { return nil }
        return UnsafeRawBufferPointer(rebasing: line[pair.value])
    }

    /// The name and bytes of the first of `keys` that has a value (neither empty nor `<null>`).
    func firstValue(_ keys: [String]) -> (name: String, bytes: UnsafeRawBufferPointer)? {
        for key in keys {
            if let bytes = value(key), !bytes.isEmpty, !bytes.elementsEqual("<null>".utf8) { return (key, bytes) }
        }
        return nil
    }

    /// Where the key after the `;` at `index` starts, when that `;` separates attributes.
    private static func boundaryKey(_ line: UnsafeRawBufferPointer, at index: Int) -> Int? {
        var start = index + 1
        if start < line.count, line[start] == UInt8(ascii: " ") { start += 1 }
        guard let equals = nameEnd(line, from: start), equals > start else { return nil }
        let name = String(decoding: line[start..<equals], as: UTF8.self)
        return standardKeys.contains(name) || !sipParameters.contains(name.lowercased()) ? start : nil
    }

    /// The index of the `=` that ends a name starting at `start`, or nil when no name and `=` are there.
    private static func nameEnd(_ line: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start
        while index < line.count {
            let byte = line[index]
            if byte == UInt8(ascii: "=") { return index }
            let isNameByte =
                (byte | 0x20) &- UInt8(ascii: "a") < 26 || byte &- UInt8(ascii: "0") < 10 || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            guard isNameByte else { return nil }
            index += 1
        }
        return nil
    }

    /// The acc module's core keys, the usual `log_extra` names, and the dialog CDR keys.
    static let standardKeys: Set<String> = [
        "timestamp", "method", "from_tag", "to_tag", "call_id", "code", "reason", "src_user", "src_domain", "src_ip",
        "dst_user", "dst_domain", "dst_ouser", "calling", "called", "to", "from", "contact", "pai", "uri",
        "time_attr", "time_exten", "start_time", "end_time", "duration",
    ]

    /// Parameters of SIP URIs and headers, which appear inside unescaped values.
    static let sipParameters: Set<String> = [
        "tag", "transport", "user", "lr", "maddr", "ttl", "branch", "received", "rport", "expires", "q", "gr", "ob",
        "npdi", "rn", "isub", "phone-context", "cpc", "oli", "line", "epid", "reg-id",
    ]
}
