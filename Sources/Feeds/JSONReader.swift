/// A JSON value as read: numbers keep their text, and objects keep every member in document
/// order, repeated keys included, so that the caller decides what a repeated key means.
public indirect enum JSONValue: Sendable, Equatable {
    /// An object's members in document order.
    case object([JSONMember])
    /// An array's elements.
    case array([JSONValue])
    /// A string, escapes resolved.
    case string(String)
    /// A number, exactly as written (`-1.5e3`).
    case number(String)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
    case null

    /// The value of the first member named `key`, when this is an object that has one.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The values of every member named `key`, in document order (empty unless this is an object).
    public func values(named key: String) -> [JSONValue] {
        guard case .object(let members) = self else { return [] }
        return members.filter { $0.key == key }.map(\.value)
    }

    /// The text of a string value, else nil.
    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// What kind of value this is, for messages (`a string`, `an object`).
    public var kind: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }
}

/// One `"key": value` pair of a JSON object.
public struct JSONMember: Sendable, Equatable {
    /// The key, escapes resolved.
    public var key: String
    /// The value.
    public var value: JSONValue

    /// Creates a member.
    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// Bytes that are not one well-formed JSON value, with where and why.
public struct JSONReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The byte offset of the problem in the input.
    public let offset: Int
    /// What is wrong there.
    public let reason: String
    /// `reason at byte offset`.
    public var description: String { "\(reason) at byte \(offset)" }

    /// Creates an error.
    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }
}

/// A byte-level JSON reader (RFC 8259): strict UTF-8, escapes including surrogate pairs, numbers
/// checked against the grammar and kept as text, nesting limited to `maxDepth`.
public struct JSONReader {
    /// The deepest nesting of objects and arrays accepted.
    public static let maxDepth = 64

    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    private var depth = 0

    private init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Reads one JSON value that makes up the whole of `bytes` (whitespace around it allowed).
    public static func read(_ bytes: UnsafeRawBufferPointer) throws(JSONReadError) -> JSONValue {
        var reader = JSONReader(bytes)
        reader.skipWhitespace()
        let value = try reader.value()
        reader.skipWhitespace()
        guard reader.index == bytes.count else { throw reader.error("unexpected bytes after the JSON value") }
        return value
    }

    /// Reads `bytes` as a whole JSON value; see `read(_:)`.
    public static func read(_ bytes: [UInt8]) throws(JSONReadError) -> JSONValue {
        let result = bytes.withUnsafeBytes { raw in Result { () throws(JSONReadError) in try read(raw) } }
        return try result.get()
    }

    private func error(_ reason: String) -> JSONReadError { JSONReadError(offset: index, reason: reason) }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): index += 1
            default: return
            }
        }
    }

    private mutating func value() throws(JSONReadError) -> JSONValue {
        guard index < bytes.count else { throw error("the JSON ends where a value should start") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("unexpected character '\(Self.shown(bytes[index]))' where a value should start")
        }
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) throws(JSONReadError) -> JSONValue {
        let spelling = UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard bytes.count - index >= spelling.count,
            UnsafeRawBufferPointer(rebasing: bytes[index..<index + spelling.count]).elementsEqual(spelling)
        else { throw error("unexpected character '\(Self.shown(bytes[index]))' where a value should start") }
        index += spelling.count
        return value
    }

    private mutating func enter() throws(JSONReadError) {
        depth += 1
        guard depth <= Self.maxDepth else { throw error("objects and arrays nested deeper than \(Self.maxDepth)") }
        index += 1
    }

    private mutating func object() throws(JSONReadError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        var members: [JSONMember] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error(index < bytes.count ? "an object key must be a string" : "the JSON ends inside an object")
            }
            let key = try string()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error(
                    index < bytes.count ? "expected ':' after the key \"\(key)\"" : "the JSON ends inside an object")
            }
            index += 1
            skipWhitespace()
            members.append(JSONMember(key: key, value: try value()))
            skipWhitespace()
            guard index < bytes.count else { throw error("the JSON ends inside an object") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(members)
            default: throw error("expected ',' or '}' in an object")
            }
        }
    }

    private mutating func array() throws(JSONReadError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try value())
            skipWhitespace()
            guard index < bytes.count else { throw error("the JSON ends inside an array") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            default: throw error("expected ',' or ']' in an array")
            }
        }
    }

    /// A string starting at the opening quote; the common case without escapes makes no copy first.
    private mutating func string() throws(JSONReadError) -> String {
        let start = index + 1
        var scan = start
        while scan < bytes.count {
            let byte = bytes[scan]
            if byte == UInt8(ascii: "\"") {
                index = scan + 1
                return try validated(UnsafeRawBufferPointer(rebasing: bytes[start..<scan]), at: start)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            scan += 1
        }
        var decoded = Array(bytes[start..<scan])
        index = scan
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let text = decoded.withUnsafeBytes({ FieldValue.string(validating: $0) }) else {
                    throw JSONReadError(offset: start, reason: "a string is not valid UTF-8")
                }
                return text
            case UInt8(ascii: "\\"):
                try escape(into: &decoded)
            case ..<0x20:
                throw error("a control character (0x\(String(byte, radix: 16))) inside a string must be escaped")
            default:
                decoded.append(byte)
                index += 1
            }
        }
        throw error("the JSON ends inside a string")
    }

    private func validated(_ raw: UnsafeRawBufferPointer, at start: Int) throws(JSONReadError) -> String {
        guard let text = FieldValue.string(validating: raw) else {
            throw JSONReadError(offset: start, reason: "a string is not valid UTF-8")
        }
        return text
    }

    private mutating func escape(into decoded: inout [UInt8]) throws(JSONReadError) {
        guard index + 1 < bytes.count else { throw error("the JSON ends inside a string") }
        let code = bytes[index + 1]
        index += 2
        switch code {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(code)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else { throw error("a \\u escape of a high surrogate is not followed by its low surrogate") }
                index += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else {
                    throw error("a \\u escape of a high surrogate is not followed by its low surrogate")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw error("a \\u escape of a low surrogate without its high surrogate")
            }
            decoded.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
        default:
            index -= 1
            throw error("unknown escape '\\\(Self.shown(code))' in a string")
        }
    }

    private mutating func hex4() throws(JSONReadError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw error("the JSON ends inside a \\u escape") }
        var value: UInt32 = 0
        for byte in bytes[index..<index + 4] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("a \\u escape needs 4 hexadecimal digits")
            }
            value = value << 4 | UInt32(digit)
        }
        index += 4
        return value
    }

    /// A number's text, checked against JSON's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func number() throws(JSONReadError) -> String {
        let start = index
        func digits() -> Int {
            let first = index
            while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            return index - first
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            throw error("a number needs digits")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw error("a number needs digits after its decimal point") }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard digits() > 0 else { throw error("a number needs digits in its exponent") }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private static func shown(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "0x" + String(byte, radix: 16)
    }
}
