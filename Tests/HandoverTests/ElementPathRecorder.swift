import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Reads an XML document with `XMLParser` (namespaces processed) and keeps, for every element in
/// document order, its slash-separated path from the root, its namespace and its text.
final class ElementPathRecorder: NSObject, XMLParserDelegate {
    /// The path of every element, in the order they start.
    private(set) var paths: [String] = []
    /// The namespace of every element, in the order they start.
    private(set) var namespaces: [String?] = []
    /// The texts of the elements at each path, in document order.
    private(set) var texts: [String: [String]] = [:]
    private var openElements: [String] = []
    private var text = ""

    /// Parses `document`; false when it is not well-formed.
    func parse(_ document: String) -> Bool {
        let parser = XMLParser(data: Data(document.utf8))
        parser.shouldProcessNamespaces = true
        parser.delegate = self
        return parser.parse()
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String]
    ) {
        openElements.append(elementName)
        paths.append(openElements.joined(separator: "/"))
        namespaces.append(namespaceURI)
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
    ) {
        texts[openElements.joined(separator: "/"), default: []].append(text)
        openElements.removeLast()
        text = ""
    }
}
