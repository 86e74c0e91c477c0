/// A UTF-8 XML document built element by element: the XML declaration first, then one element or
/// tag a line, indented two spaces a level, every value and attribute escaped.
struct XMLWriter {
    /// The document so far.
    private(set) var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    private var depth = 0

    /// Writes `<name>value</name>`.
    mutating func element(_ name: String, _ value: String) {
        line("<\(name)>\(XMLText.escaped(value))</\(name)>")
    }

    /// Writes `<name>value</name>` when there is a value, else nothing.
    mutating func element(_ name: String, ifPresent value: String?) {
        if let value { element(name, value) }
    }

    /// Writes the empty element `<name/>`.
    mutating func emptyElement(_ name: String) {
        line("<\(name)/>")
    }

    /// Writes `<name>`, what `content` writes one level deeper, and `</name>`; `namespace`, if given,
    /// becomes the element's default namespace.
    mutating func element(_ name: String, namespace: String? = nil, _ content: (inout XMLWriter) -> Void) {
        let declaration = namespace.map { " xmlns=\"\(XMLText.escaped($0))\"" } ?? ""
        line("<\(name)\(declaration)>")
        depth += 1
        content(&self)
        depth -= 1
        line("</\(name)>")
    }

    private mutating func line(_ markup: String) {
        text += String(repeating: "  ", count: depth) + markup + "\n"
    }
}
