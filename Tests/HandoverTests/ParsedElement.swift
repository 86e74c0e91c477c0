import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// An element as Foundation's `XMLParser` reads it with namespaces processed: its local name, its
/// namespace, its child elements and its text, so that tests can walk a document the way an
/// importer's DOM code does.
final class ParsedElement {
    /// The local name.
    let name: String
    /// The namespace URI, if any.
    let namespace: String?
    /// The child elements in document order.
    private(set) var children: [ParsedElement] = []
    /// The character data directly inside the element.
    private(set) var text = ""

    private init(name: String, namespace: String?) {
        self.name = name
        self.namespace = namespace
    }

    /// The root element of `document`, or nil when it is not well-formed XML.
    static func parse(_ document: String) -> ParsedElement? {
        let builder = Builder()
        let parser = XMLParser(data: Data(document.utf8))
        parser.shouldProcessNamespaces = true
        parser.delegate = builder
        return parser.parse() ? builder.root : nil
    }

    /// The first child named `name` in the same namespace as this element.
    func child(_ name: String) -> ParsedElement? {
        children.first { $0.name == name && $0.namespace == namespace }
    }

    /// The element reached by following `path` (child names separated by `/`), or nil.
    func find(_ path: String) -> ParsedElement? {
        path.split(separator: "/").reduce(self) { element, step in element?.child(String(step)) }
    }

    /// The text of the element at `path`.
    func text(_ path: String) -> String? {
        find(path)?.text
    }

    /// Every element below this one named `name` in the same namespace, in document order.
    func descendants(_ name: String) -> [ParsedElement] {
        children.flatMap { child in
            (child.name == name && child.namespace == namespace ? [child] : []) + child.descendants(name)
        }
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var root: ParsedElement?
        private var open: [ParsedElement] = []

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName: String?, attributes: [String: String]
        ) {
            let element = ParsedElement(name: elementName, namespace: namespaceURI)
            if let parent = open.last { parent.children.append(element) } else { root = element }
            open.append(element)
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            open.last?.text += string
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
        ) {
            open.removeLast()
        }
    }
}
