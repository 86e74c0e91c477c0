import CDRModel
import Foundation

/// A number, SIP URI or IP address as lookups, holds and requests take it: normalised like ingest.
public struct LookupIdentifier: Sendable, Equatable {
    /// The form stored calls carry (`+46701234567`, `sip:alice@example.com`, `192.0.2.10`).
    public let text: String
    /// True for an IP address, which matches a call's source IP.
    public let isAddress: Bool

    /// Normalises `raw`; throws when nothing is left of it or it is longer than 256 characters.
    public init(_ raw: String, normaliser: NumberNormaliser) throws {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count <= 256 else {
            throw StoreError("the identifier is \(trimmed.count) characters long; at most 256 are accepted")
        }
        if let address = IPAddress(trimmed) {
            text = address.description
            isAddress = true
            return
        }
        let normalised = normaliser.normalise(trimmed)
        guard normalised.unicodeScalars.contains(where: { $0.properties.isAlphabetic || ("0"..."9").contains($0) })
        else {
            throw StoreError("the identifier '\(raw)' normalises to nothing; give a number, SIP URI or IP address")
        }
        text = normalised
        isAddress = false
    }
}
