import Foundation
import Yams

/// A configuration's YAML as plain values (`[String: Any]`, `[Any]`, `String`, `Int`, `Double`,
/// `Bool`), built from Yams' node tree here rather than by Yams' constructor, which traps on some
/// malformed documents (a complex key with an odd tag, a base-60 integer that overflows; both
/// found by fuzzing): a bad file must be a sentence, not a crash. A number that is not plain
/// decimal stays text, which the setting that reads it refuses.
enum YAMLValues {
    /// The document's root value, nil for an empty document; throws a sentence naming what is wrong.
    static func load(_ yaml: String) throws -> Any? {
        guard let root = try Yams.compose(yaml: yaml) else { return nil }
        return try value(of: root, at: "the document")
    }

    private static func value(of node: Node, at place: String) throws -> Any {
        switch node {
        case .scalar(let scalar):
            // Numbers are read here too: Yams' own reading of `1:30`-style (base 60) integers traps on overflow.
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .int: if let number = Int(scalar.string) { return number }
            case .float: if let number = Double(scalar.string) { return number }
            case .bool: if let flag = node.bool { return flag }
            case .null: return NSNull()
            default: break
            }
            return scalar.string
        case .sequence(let sequence):
            return try sequence.enumerated().map { index, item in try value(of: item, at: "\(place)[\(index)]") }
        case .mapping(let mapping):
            var values: [String: Any] = [:]
            for (key, item) in mapping {
                guard case .scalar(let name) = key else {
                    throw YAMLValuesError("a key in \(place) is not text (write keys as plain words)")
                }
                values[name.string] = try value(of: item, at: name.string)
            }
            return values
        case .alias:
            throw YAMLValuesError("an alias in \(place); aliases are not allowed")
        }
    }
}

/// Why a YAML document's values cannot be read.
struct YAMLValuesError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
