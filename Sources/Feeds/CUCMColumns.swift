/// Where the columns cdrstore reads sit in a Cisco CUCM CDR file, found by name in its header line
/// (CUCM versions differ in the number and order of columns). `cdrRecordType` is always the first.
struct CUCMColumns: Sendable {
    /// The number of columns a line has.
    let count: Int
    let callManagerID: Int
    let callID: Int
    let origLeg: Int
    let origination: Int
    let connect: Int
    let disconnect: Int
    let duration: Int
    let callingParty: Int
    let finalCalledParty: Int
    let origCause: Int
    let destCause: Int
    /// A fallback for an empty `finalCalledPartyNumber`.
    let originalCalledParty: Int?
    /// The caller's IPv4 address as a signed 32-bit integer in reversed byte order.
    let origIPInteger: Int?
    /// The caller's address as text (CUCM 8 and later).
    let origIPText: Int?
    /// The calling device.
    let origDeviceName: Int?
    /// The caller's video codec (0: none).
    let origVideoCodec: Int?

    /// The column names a CDR cannot do without.
    static let requiredNames = [
        "cdrRecordType", "globalCallID_callManagerId", "globalCallID_callId", "origLegCallIdentifier",
        "dateTimeOrigination", "dateTimeConnect", "dateTimeDisconnect", "duration", "callingPartyNumber",
        "finalCalledPartyNumber", "origCause_value", "destCause_value",
    ]

    /// Maps the names of a header line, or says which required names it lacks.
    init(names: [String]) throws(FieldRefusal) {
        let missing = Self.requiredNames.filter { !names.contains($0) }
        guard missing.isEmpty else {
            throw FieldRefusal(
                "the header line has no column \(missing.joined(separator: ", ")), so CDRs cannot be read "
                    + "(the names required: \(Self.requiredNames.joined(separator: ", ")))")
        }
        func index(_ name: String) -> Int? { names.firstIndex(of: name) }
        func required(_ name: String) -> Int { names.firstIndex(of: name)! }
        count = names.count
        callManagerID = required("globalCallID_callManagerId")
        callID = required("globalCallID_callId")
        origLeg = required("origLegCallIdentifier")
        origination = required("dateTimeOrigination")
        connect = required("dateTimeConnect")
        disconnect = required("dateTimeDisconnect")
        duration = required("duration")
        callingParty = required("callingPartyNumber")
        finalCalledParty = required("finalCalledPartyNumber")
        origCause = required("origCause_value")
        destCause = required("destCause_value")
        originalCalledParty = index("originalCalledPartyNumber")
        origIPInteger = index("origIpAddr")
        origIPText = index("origIpv4v6Addr")
        origDeviceName = index("origDeviceName")
        origVideoCodec = index("origVideoCap_Codec")
    }
}
