import Testing

@testable import Handover

/// Text made safe for XML 1.0 character data.
struct XMLTextTests {
    @Test(
        "Special characters become entities; characters XML 1.0 forbids become U+FFFD",
        arguments: [
            ("Yealink SIP-T46S", "Yealink SIP-T46S"),
            ("a & b", "a &amp; b"),
            ("<&\"'>", "&lt;&amp;&quot;&apos;&gt;"),
            ("&amp;", "&amp;amp;"),  // already an entity: escaped again, so it reads back as written
            ("tab\there\nnext line", "tab\there\nnext line"),
            ("line\r\nend", "line&#13;\nend"),
            ("\u{0}\u{1}\u{8}\u{B}\u{C}\u{E}\u{1F}", String(repeating: "\u{FFFD}", count: 7)),
            ("x\u{FFFE}y\u{FFFF}z", "x\u{FFFD}y\u{FFFD}z"),
            ("\u{7F}\u{85}\u{FFFD}", "\u{7F}\u{85}\u{FFFD}"),  // allowed, if discouraged
            ("Polismyndigheten Å&Ö 📞", "Polismyndigheten Å&amp;Ö 📞"),
            ("", ""),
        ])
    func escapes(text: String, escaped: String) {
        #expect(XMLText.escaped(text) == escaped)
    }
}
