import Handover
import Testing

@Suite struct DisclosedCallTests {
    @Test func aRequestIdentityKeepsItsThreeParts() {
        let identity = RequestIdentity(countryCode: "SE", authorisedOrganisationID: "Polismyndigheten", requestNumber: "1")
        #expect([identity.countryCode, identity.authorisedOrganisationID, identity.requestNumber] == ["SE", "Polismyndigheten", "1"])
    }
}
