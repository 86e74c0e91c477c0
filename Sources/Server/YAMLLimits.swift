/// What cdrstore's configuration files may not hold, checked on the text before a YAML parser
/// sees it: anchors (`&name`, and so aliases `*name`), which let a few lines expand into billions
/// of values, and nesting deeper than a configuration needs.
enum YAMLLimits {
    /// The deepest nesting accepted (flow brackets, or indentation levels of two spaces).
    static let maxDepth = 32

    /// Why `yaml` is refused, naming the line; nil when it stays within the limits. Quoted text
    /// and comments are not looked into.
    static func refusal(of yaml: String) -> String? {
        var flowDepth = 0
        for (index, line) in yaml.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let indentation = line.prefix { $0 == " " }.count
            if indentation / 2 > maxDepth {
                return "line \(number) is nested deeper than \(maxDepth) levels, more than a configuration needs"
            }
            var quote: Character?
            var previous: Character = " "
            for character in line {
                if let open = quote {
                    if character == open { quote = nil }
                } else if character == "\"" || character == "'" {
                    quote = character
                } else if character == "#", previous == " " {
                    break
                } else if character == "&" || character == "*", " [{,:-".contains(previous) {
                    return "line \(number) has a YAML anchor or alias (\(character)name); they are not allowed in "
                        + "cdrstore's configuration: write each value out (quote a value that starts with \(character))"
                } else if character == "[" || character == "{" {
                    flowDepth += 1
                    if flowDepth > maxDepth {
                        return
                            "line \(number) is nested deeper than \(maxDepth) levels, more than a configuration needs"
                    }
                } else if character == "]" || character == "}" {
                    flowDepth = max(flowDepth - 1, 0)
                }
                previous = character
            }
        }
        return nil
    }
}
