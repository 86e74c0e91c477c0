import Feeds
import Testing

@Suite struct JSONReaderTests {
    func read(_ text: String) throws -> JSONValue { try JSONReader.read(Array(text.utf8)) }

    func failure(_ bytes: [UInt8]) -> JSONReadError? {
        do {
            _ = try JSONReader.read(bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func readsNestedValuesWithNumbersAsText() throws {
        let value = try read(#" {"a": [1, -0.5, 2e10, 1E-3, true, false, null], "b": {"c": "d"}, "e": {}} "#)
        #expect(
            value
                == .object([
                    JSONMember(
                        key: "a",
                        value: .array([
                            .number("1"), .number("-0.5"), .number("2e10"), .number("1E-3"), .bool(true), .bool(false),
                            .null,
                        ])),
                    JSONMember(key: "b", value: .object([JSONMember(key: "c", value: .string("d"))])),
                    JSONMember(key: "e", value: .object([])),
                ]))
        #expect(value["b"]?["c"]?.string == "d")
    }

    @Test func keepsRepeatedKeysInOrder() throws {
        let value = try read(#"{"callflow": {"n": "2"}, "x": 1, "callflow": {"n": "1"}}"#)
        #expect(value.values(named: "callflow").map { $0["n"]?.string } == ["2", "1"])
        #expect(value["callflow"]?["n"]?.string == "2")
    }

    @Test func resolvesEscapesAndSurrogatePairs() throws {
        let value = try read(#""q\" b\\ s\/ \b\f\n\r\t \u00e9 \u20AC \ud83d\ude00 raw é""#)
        #expect(value == .string("q\" b\\ s/ \u{8}\u{c}\n\r\t é € 😀 raw é"))
    }

    @Test(arguments: [
        (#""\ud83d x""#, "a \\u escape of a high surrogate is not followed by its low surrogate"),
        (#""\ude00""#, "a \\u escape of a low surrogate without its high surrogate"),
        (#""\u12G4""#, "a \\u escape needs 4 hexadecimal digits"),
        (#""\x""#, "unknown escape '\\x' in a string"),
        ("\"a\tb\"", "a control character (0x9) inside a string must be escaped"),
        ("{\"a\":1", "the JSON ends inside an object"),
        ("[1,2", "the JSON ends inside an array"),
        ("\"abc", "the JSON ends inside a string"),
        ("\"ab\\u00", "the JSON ends inside a \\u escape"),
        ("", "the JSON ends where a value should start"),
        ("{\"a\" 1}", "expected ':' after the key \"a\""),
        ("{a:1}", "an object key must be a string"),
        ("[1 2]", "expected ',' or ']' in an array"),
        ("{\"a\":1 \"b\":2}", "expected ',' or '}' in an object"),
        ("{} x", "unexpected bytes after the JSON value"),
        ("tru", "unexpected character 't' where a value should start"),
        ("-", "a number needs digits"),
        ("1.", "a number needs digits after its decimal point"),
        ("1e+", "a number needs digits in its exponent"),
        ("01", "unexpected bytes after the JSON value"),
        ("+1", "unexpected character '+' where a value should start"),
    ])
    func refusesMalformedInput(text: String, reason: String) {
        #expect(failure(Array(text.utf8))?.reason == reason)
    }

    @Test func refusesInvalidUTF8InStringsWithOrWithoutEscapes() {
        #expect(failure([0x22, 0x61, 0xFF, 0x22]) == JSONReadError(offset: 1, reason: "a string is not valid UTF-8"))
        #expect(failure(Array(#""\n"#.utf8) + [0xC3, 0x22])?.reason == "a string is not valid UTF-8")
    }

    @Test func limitsNesting() throws {
        let deepest =
            String(repeating: "[", count: JSONReader.maxDepth) + String(repeating: "]", count: JSONReader.maxDepth)
        #expect(throws: Never.self) { try read(deepest) }
        let tooDeep = String(repeating: "[", count: JSONReader.maxDepth + 1)
        #expect(
            failure(Array(tooDeep.utf8))
                == JSONReadError(offset: 64, reason: "objects and arrays nested deeper than 64"))
    }

    @Test func keepsHugeNumbersAsText() throws {
        #expect(try read("123456789012345678901234567890e400") == .number("123456789012345678901234567890e400"))
    }
}
