/// A legal request as ETSI TS 102 657 names it (its RequestID) plus the handover's sender.
public struct RequestIdentity: Sendable, Equatable {
    /// ISO 3166 country code of the requesting authority, e.g. `SE`.
    public var countryCode: String
    /// The authorised organisation (the authority), e.g. `Polismyndigheten`.
    public var authorisedOrganisationID: String
    /// The authority's own number of the request, e.g. `2026-000123`.
    public var requestNumber: String

    /// Creates a request identity.
    public init(countryCode: String, authorisedOrganisationID: String, requestNumber: String) {
        self.countryCode = countryCode
        self.authorisedOrganisationID = authorisedOrganisationID
        self.requestNumber = requestNumber
    }
}
