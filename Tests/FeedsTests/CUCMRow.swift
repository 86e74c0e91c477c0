/// Builds Cisco CUCM CDR flat files as CUCM writes them: a header line of quoted column names, a
/// line of their types, then records with integers bare and text quoted. The columns are a
/// realistic subset of CUCM 11's, in its order.
struct CUCMRow: Sendable {
    /// The columns, in order, with their types.
    static let columns: [(name: String, type: String)] = [
        ("cdrRecordType", "INTEGER"), ("globalCallID_callManagerId", "INTEGER"), ("globalCallID_callId", "INTEGER"),
        ("origLegCallIdentifier", "INTEGER"), ("dateTimeOrigination", "INTEGER"), ("origNodeId", "INTEGER"),
        ("origSpan", "INTEGER"), ("origIpAddr", "INTEGER"), ("callingPartyNumber", "VARCHAR(50)"),
        ("callingPartyUnicodeLoginUserID", "VARCHAR(128)"), ("origCause_location", "INTEGER"),
        ("origCause_value", "INTEGER"), ("origPrecedenceLevel", "INTEGER"),
        ("origMediaTransportAddress_IP", "INTEGER"), ("origMediaTransportAddress_Port", "INTEGER"),
        ("origMediaCap_payloadCapability", "INTEGER"), ("origVideoCap_Codec", "INTEGER"),
        ("destLegIdentifier", "INTEGER"), ("destNodeId", "INTEGER"), ("destSpan", "INTEGER"),
        ("destIpAddr", "INTEGER"), ("originalCalledPartyNumber", "VARCHAR(50)"),
        ("finalCalledPartyNumber", "VARCHAR(50)"), ("finalCalledPartyUnicodeLoginUserID", "VARCHAR(128)"),
        ("destCause_location", "INTEGER"), ("destCause_value", "INTEGER"), ("destPrecedenceLevel", "INTEGER"),
        ("dateTimeConnect", "INTEGER"), ("dateTimeDisconnect", "INTEGER"), ("lastRedirectDn", "VARCHAR(50)"),
        ("pkid", "UNIQUEIDENTIFIER"), ("originalCalledPartyNumberPartition", "VARCHAR(50)"),
        ("callingPartyNumberPartition", "VARCHAR(50)"), ("finalCalledPartyNumberPartition", "VARCHAR(50)"),
        ("lastRedirectDnPartition", "VARCHAR(50)"), ("duration", "INTEGER"), ("origDeviceName", "VARCHAR(129)"),
        ("destDeviceName", "VARCHAR(129)"), ("origCallTerminationOnBehalfOf", "INTEGER"),
        ("destCallTerminationOnBehalfOf", "INTEGER"), ("globalCallId_ClusterID", "VARCHAR(50)"),
        ("authCodeDescription", "VARCHAR(50)"), ("origIpv4v6Addr", "VARCHAR(64)"),
        ("destIpv4v6Addr", "VARCHAR(64)"),
    ]

    /// Values by column name; a column not set is 0 (integers) or empty (text).
    var values: [String: String] = [
        "cdrRecordType": "1", "globalCallID_callManagerId": "1", "globalCallID_callId": "1123456",
        "origLegCallIdentifier": "27123457", "dateTimeOrigination": "1791720207", "origNodeId": "1",
        "origIpAddr": "-1139627840", "callingPartyNumber": "0701234567", "origCause_value": "0",
        "destLegIdentifier": "27123458", "destNodeId": "1", "destIpAddr": "-1156404544",
        "originalCalledPartyNumber": "0812345678", "finalCalledPartyNumber": "0812345678", "destCause_value": "16",
        "dateTimeConnect": "1791720210", "dateTimeDisconnect": "1791720330",
        "pkid": "6f3c1a9e-52d4-4c1b-9e0f-7a2b3c4d5e6f", "callingPartyNumberPartition": "PT_Internal",
        "duration": "120", "origDeviceName": "SEP001122334455", "destDeviceName": "SEP00AABBCCDDEE",
        "globalCallId_ClusterID": "StandAloneCluster", "origIpv4v6Addr": "", "destIpv4v6Addr": "",
    ]

    /// A row with `changes` applied to the default values.
    init(_ changes: [String: String] = [:]) { values.merge(changes) { $1 } }

    /// The header line and the type line.
    static func header(_ columns: [(name: String, type: String)] = columns) -> String {
        columns.map { "\"\($0.name)\"" }.joined(separator: ",") + "\n" + columns.map(\.type).joined(separator: ",")
            + "\n"
    }

    /// The record line for `columns`.
    func line(_ columns: [(name: String, type: String)] = Self.columns) -> String {
        columns.map { column in
            let value = values[column.name]
            return column.type == "INTEGER" ? value ?? "0" : "\"" + (value ?? "") + "\""
        }.joined(separator: ",") + "\n"
    }
}
