/// One plan's rates, indexed for rating: a digit trie of the prefixes, each node holding its
/// prefix's versions by `validFrom`, so a lookup costs the length of the number.
public struct RatingPlan: Sendable {
    /// The plan's name.
    public let name: String
    /// The plan's rates, in the order given.
    private var rates: [TariffRate] = []
    /// `children[node * 10 + digit]`: the node one digit further, or 0 for none (node 0 is the root).
    private var children: [Int32] = Array(repeating: 0, count: 10)
    /// `versions[node]`: indexes in `rates` of the rates of the prefix ending at `node`, oldest
    /// `validFrom` first.
    private var versions: [[Int32]] = [[]]

    /// The rates of plan `name` among `rates` (rates of other plans are left out); each prefix must
    /// be one or more digits. Should a prefix have two rates with the same `validFrom` (a tariff
    /// file refuses that), the later one counts.
    public init(name: String, rates: some Sequence<TariffRate>) {
        self.name = name
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
            versions[node].removeAll { self.rates[Int($0)].validFrom == rate.validFrom }
            versions[node].append(Int32(self.rates.count))
            self.rates.append(rate)
        }
        let rates = self.rates
        for node in versions.indices { versions[node].sort { rates[Int($0)].validFrom < rates[Int($1)].validFrom } }
    }

    /// The rate for `destination` at `start` (µs): among the prefixes that have a rate in force then
    /// (the version with the latest `validFrom` ≤ `start`), the longest that the destination's
    /// digits begin with. A leading `+` is skipped; the digits end at the first other character.
    public func rate(destination: String, at start: Int64) -> TariffRate? {
        var best: Int32?
        var node = 0
        var digits = destination.utf8[...]
        if digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        for byte in digits {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            node = Int(children[node * 10 + Int(digit)])
            guard node != 0 else { break }
            if let inForce = versions[node].last(where: { rates[Int($0)].validFrom <= start }) { best = inForce }
        }
        return best.map { rates[Int($0)] }
    }
}
