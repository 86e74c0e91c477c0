/// One plan's rates, indexed for rating: a digit trie of the prefixes whose nodes point at their
/// prefix's versions by `validFrom`, so a lookup costs the length of the number.
public struct RatingPlan: Sendable {
    /// The plan's name.
    public let name: String
    /// `children[node * 10 + digit]`: the node one digit further, or 0 for none (node 0 is the root).
    private var children: [Int32] = Array(repeating: 0, count: 10)
    /// The versions of the prefix ending at `node` are `rates[versionStarts[node]..<versionStarts[node + 1]]`.
    private var versionStarts: [Int32] = []
    /// The rates grouped by node, oldest `validFrom` first within a node.
    private var rates: [TariffRate] = []
    /// `rates[i].validFrom`, kept apart so a lookup reads only integers.
    private var validFroms: [Int64] = []

    /// The rates of plan `name` among `rates` (rates of other plans are left out); each prefix must
    /// be one or more digits. Should a prefix have two rates with the same `validFrom` (a tariff
    /// file refuses that), the later one counts.
    public init(name: String, rates: some Sequence<TariffRate>) {
        self.name = name
        var versions: [[TariffRate]] = [[]]
        for rate in rates where rate.plan == name {
            precondition(!rate.prefix.isEmpty, "a tariff prefix is empty")
            var node = 0
            for byte in rate.prefix.utf8 {
                let digit = byte &- UInt8(ascii: "0")
                precondition(digit < 10, "tariff prefix \(rate.prefix) is not all digits")
                let slot = node * 10 + Int(digit)
                if children[slot] == 0 {
                    children[slot] = Int32(versions.count)
                    children.append(contentsOf: repeatElement(0, count: 10))
                    versions.append([])
                }
                node = Int(children[slot])
            }
            versions[node].removeAll { $0.validFrom == rate.validFrom }
            versions[node].append(rate)
        }
        for nodeVersions in versions {
            versionStarts.append(Int32(self.rates.count))
            self.rates += nodeVersions.sorted { $0.validFrom < $1.validFrom }
        }
        versionStarts.append(Int32(self.rates.count))
        validFroms = self.rates.map(\.validFrom)
    }

    /// The rate for `destination` at `start` (µs): among the prefixes that have a rate in force then
    /// (the version with the latest `validFrom` ≤ `start`), the longest that the destination's
    /// digits begin with. A leading `+` is skipped; the digits end at the first other character.
    public func rate(destination: String, at start: Int64) -> TariffRate? {
        let best =
            destination.utf8.withContiguousStorageIfAvailable { longestMatch($0, at: start) }
            ?? longestMatch(Array(destination.utf8), at: start)
        return best.map { rates[$0] }
    }

    /// What `rate(destination:at:)` finds, as an index for `rate(at:)`, from the destination's UTF-8
    /// bytes: for callers that rate many calls and sum them by rate without copying rates.
    public func rateIndex(destination: UnsafeRawBufferPointer, at start: Int64) -> Int? {
        longestMatch(destination, at: start)
    }

    /// The rate at an index `rateIndex(destination:at:)` gave.
    public func rate(at index: Int) -> TariffRate { rates[index] }

    /// The index in `rates` of the longest prefix of `number` in force at `start`, if any.
    private func longestMatch(_ number: some Collection<UInt8>, at start: Int64) -> Int? {
        var best: Int?
        var node = 0
        for byte in number.first == UInt8(ascii: "+") ? number.dropFirst() : number[...] {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            node = Int(children[node * 10 + Int(digit)])
            guard node != 0 else { break }
            let first = Int(versionStarts[node])
            var version = Int(versionStarts[node + 1]) - 1
            while version >= first, validFroms[version] > start { version -= 1 }
            if version >= first { best = version }
        }
        return best
    }
}
