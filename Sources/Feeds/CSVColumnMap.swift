/// What a column of a generic CSV feed holds.
enum CSVColumnRole: Int, CaseIterable, Sendable {
    case start, answer, end, duration, billsec, source, destination, sourceIP, disposition, account
    case equipment, channel, recordKey, sequence, callType, lastApp
}

/// Where each known column sits in the lines of a generic CSV feed (`--format csv`), made from the
/// columns' names in order, as `--columns` or the file's header line gives them.
public struct CSVColumnMap: Sendable, Equatable {
    /// The number of columns a line has.
    public let count: Int
    /// The column index of each role, by `CSVColumnRole.rawValue`.
    private var indices: [Int?]

    /// The names understood, with the role each stands for (nil: a column to ignore).
    static let names: [(name: String, role: CSVColumnRole?)] = [
        ("start", .start), ("answer", .answer), ("end", .end), ("duration", .duration), ("billsec", .billsec),
        ("src", .source), ("dst", .destination), ("source_ip", .sourceIP), ("disposition", .disposition),
        ("account", .account), ("equipment", .equipment), ("record_key", .recordKey), ("call_type", .callType),
        ("accountcode", .account), ("uniqueid", .recordKey), ("channel", .channel), ("lastapp", .lastApp),
        ("sequence", .sequence), ("clid", nil), ("dcontext", nil), ("dstchannel", nil), ("lastdata", nil),
        ("amaflags", nil), ("userfield", nil),
    ]

    /// The names understood, for messages.
    public static var knownNames: String {
        names.map(\.name).joined(separator: ", ") + " (- or nothing for a column to ignore)"
    }

    /// Maps `names` (case and surrounding spaces ignored; `-` or empty for a column to ignore), or
    /// says which name is unknown, repeated or missing.
    public init(names columnNames: [String]) throws(FieldRefusal) {
        indices = Array(repeating: nil, count: CSVColumnRole.allCases.count)
        count = columnNames.count
        for (index, written) in columnNames.enumerated() {
            let name = Self.trimmed(written).lowercased()
            if name.isEmpty || name == "-" { continue }
            guard let known = Self.names.first(where: { $0.name == name }) else {
                throw FieldRefusal("unknown column name '\(written)'; the names are: \(Self.knownNames)")
            }
            guard let role = known.role else { continue }
            if let earlier = indices[role.rawValue] {
                throw FieldRefusal(
                    "column \(index + 1) ('\(written)') holds the same thing as column \(earlier + 1) "
                        + "('\(columnNames[earlier])'); name it - to ignore one of them")
            }
            indices[role.rawValue] = index
        }
        if self[.equipment] != nil, self[.channel] != nil {
            throw FieldRefusal("equipment and channel both give the equipment; name one of them -")
        }
        let missing = [(CSVColumnRole.start, "start"), (.source, "src"), (.destination, "dst")]
            .filter { self[$0.0] == nil }.map(\.1)
        guard missing.isEmpty else {
            throw FieldRefusal("no \(missing.joined(separator: ", ")) column; start, src and dst are required")
        }
        guard self[.end] != nil || self[.duration] != nil else {
            throw FieldRefusal("neither an end nor a duration column; one of them is required")
        }
    }

    /// The index of the column holding `role`, if any.
    subscript(role: CSVColumnRole) -> Int? { indices[role.rawValue] }

    private static func trimmed(_ name: String) -> Substring {
        var name = Substring(name)
        if name.hasPrefix("\u{FEFF}") { name = name.dropFirst() }
        while let first = name.first, first == " " || first == "\t" { name = name.dropFirst() }
        while let last = name.last, last == " " || last == "\t" { name = name.dropLast() }
        return name
    }
}
