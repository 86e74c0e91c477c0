/// One mapping of a YAML configuration with its path (`cdrstore.yaml.feeds[0]`), for typed reads
/// whose errors name the place.
struct ConfigTable {
    let values: [String: Any]
    let path: String

    init(_ value: Any, path: String) throws(ConfigurationError) {
        if let mapping = value as? [String: Any] {
            values = mapping
        } else if let mapping = value as? [AnyHashable: Any] {
            values = Dictionary(uniqueKeysWithValues: mapping.map { ("\($0.key)", $0.value) })
        } else {
            throw ConfigurationError("\(path) must be a mapping of keys to values")
        }
        self.path = path
    }

    /// Refuses keys other than `allowed`, so that a misspelt setting is not silently ignored.
    func allowOnly(_ allowed: Set<String>) throws(ConfigurationError) {
        if let unknown = values.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw ConfigurationError(
                "\(path): unknown setting '\(unknown)'; the settings here are: \(allowed.sorted().joined(separator: ", "))"
            )
        }
    }

    func string(_ key: String) throws(ConfigurationError) -> String? {
        guard let value = values[key] else { return nil }
        if let text = value as? String { return text }
        if let number = value as? Int { return String(number) }
        throw ConfigurationError("\(path).\(key) must be text")
    }

    func requiredString(_ key: String) throws(ConfigurationError) -> String {
        guard let value = try string(key), !value.isEmpty else { throw ConfigurationError("\(path).\(key) is missing") }
        return value
    }

    func bool(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let value = values[key] else { return nil }
        guard let flag = value as? Bool else { throw ConfigurationError("\(path).\(key) must be true or false") }
        return flag
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let value = values[key] else { return nil }
        guard let number = value as? Int, range.contains(number) else {
            throw ConfigurationError(
                "\(path).\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    func double(_ key: String, in range: ClosedRange<Double>) throws(ConfigurationError) -> Double? {
        guard let value = values[key] else { return nil }
        let number = (value as? Double) ?? (value as? Int).map(Double.init)
        guard let number, range.contains(number) else {
            throw ConfigurationError("\(path).\(key) must be a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    func table(_ key: String) throws(ConfigurationError) -> ConfigTable? {
        guard let value = values[key] else { return nil }
        return try ConfigTable(value, path: "\(path).\(key)")
    }

    func tables(_ key: String) throws(ConfigurationError) -> [ConfigTable] {
        guard let value = values[key] else { return [] }
        guard let list = value as? [Any] else { throw ConfigurationError("\(path).\(key) must be a list") }
        var tables: [ConfigTable] = []
        for (index, item) in list.enumerated() {
            tables.append(try ConfigTable(item, path: "\(path).\(key)[\(index)]"))
        }
        return tables
    }
}
