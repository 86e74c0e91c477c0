import CDRModel

/// Decodes cdrstore's own canonical record (`--format cdr-jsonl`): one JSON object per line,
/// exactly what `cdrstore parse` prints (`CanonicalJSON.line(for:)`), so that every printed
/// record reads back as the same call.
///
/// Required: `start_time`, `end_time`, `source`, `destination`. Defaults: `duration_s` = end −
/// start, `billable_s` = end − answer (0 unanswered), `disposition` = `answered` with an
/// `answer_time` else `no_answer`, `call_type` = `voice`. `null` is the same as absent; an
/// unknown or repeated key is refused, so that a misspelt key cannot silently lose a field.
public struct CDRJSONLineDecoder: LineRecordDecoder {
    private let normaliser: NumberNormaliser

    /// Creates a decoder that normalises parties with `normaliser`.
    public init(normaliser: NumberNormaliser) { self.normaliser = normaliser }

    /// The keys of the canonical record, in its order.
    public static let keys = [
        "start_time", "answer_time", "end_time", "duration_s", "billable_s", "source", "destination", "source_ip",
        "call_type", "disposition", "equipment", "account", "record_key", "linked_key",
    ]

    /// Decodes one line; see `LineRecordDecoder`.
    public mutating func decode(
        line: UnsafeRawBufferPointer, at place: LinePlace, emit: (LineOutput) throws -> Void
    ) rethrows {
        try emit(LineOutput(decode(json: line), raw: line, from: place))
    }

    /// Decodes one canonical JSON object (a line of a file, or one record of an HTTP body).
    public func decode(json: UnsafeRawBufferPointer) -> DecodedRecord {
        let value: JSONValue
        do {
            value = try JSONReader.read(json)
        } catch {
            return .rejected("not a JSON object: \(error)")
        }
        guard case .object(let members) = value else { return .rejected("expected a JSON object, found \(value.kind)") }
        var fields: [String: JSONValue] = [:]
        for member in members {
            guard Self.keys.contains(member.key) else {
                return .rejected(
                    "unknown key \"\(member.key)\" (the keys are \(Self.keys.joined(separator: ", ")))")
            }
            guard fields.updateValue(member.value, forKey: member.key) == nil else {
                return .rejected("key \"\(member.key)\" appears more than once")
            }
        }
        do {
            return .record(try record(Fields(values: fields)))
        } catch {
            return .rejected(error.reason)
        }
    }

    private func record(_ fields: Fields) throws(FieldRefusal) -> CallRecord {
        let start = try fields.time("start_time", required: true)!
        let answer = try fields.time("answer_time", required: false)
        let end = try fields.time("end_time", required: true)!
        let duration = try fields.seconds("duration_s") ?? FieldValue.secondsBetween(start, end)
        let billable = try fields.seconds("billable_s") ?? answer.map { FieldValue.secondsBetween($0, end) } ?? 0
        try FieldValue.checkTimes(start: start, answer: answer, end: end, duration: duration, billable: billable)
        let sourceIP = try fields.text("source_ip").map { text throws(FieldRefusal) in
            guard let address = IPAddress(text) else {
                throw FieldRefusal("source_ip '\(text.prefix(40))' is not an IPv4 or IPv6 address")
            }
            return address
        }
        return CallRecord(
            startTime: start, answerTime: answer, endTime: end, durationSeconds: duration, billableSeconds: billable,
            source: normaliser.normalise(try fields.required("source")),
            destination: normaliser.normalise(try fields.required("destination")),
            sourceIP: sourceIP,
            callType: try fields.choice("call_type", of: CallType.self) ?? .voice,
            disposition: try fields.choice("disposition", of: Disposition.self)
                ?? (answer == nil ? .noAnswer : .answered),
            equipment: try fields.text("equipment"), account: try fields.text("account"),
            recordKey: try fields.text("record_key"), linkedKey: try fields.text("linked_key"))
    }

    /// The members of one record by key, read with the canonical record's types.
    private struct Fields {
        let values: [String: JSONValue]

        func text(_ key: String) throws(FieldRefusal) -> String? {
            switch values[key] {
            case nil, .null?: return nil
            case .string(let text)?: return text
            case let other?: throw FieldRefusal("\(key) must be a string, found \(other.kind)")
            }
        }

        func required(_ key: String) throws(FieldRefusal) -> String {
            guard let text = try text(key) else { throw FieldRefusal("\(key) is missing") }
            return text
        }

        func time(_ key: String, required: Bool) throws(FieldRefusal) -> Int64? {
            guard let text = try text(key) else {
                if required { throw FieldRefusal("\(key) is missing") }
                return nil
            }
            return try FieldValue.reading(text) { raw throws(FieldRefusal) in try FieldValue.instant(raw, key) }
        }

        func seconds(_ key: String) throws(FieldRefusal) -> Int32? {
            switch values[key] {
            case nil, .null?: return nil
            case .number(let text)?:
                return try FieldValue.reading(text) { raw throws(FieldRefusal) in try FieldValue.seconds(raw, key) }
            case let other?: throw FieldRefusal("\(key) must be a number of seconds, found \(other.kind)")
            }
        }

        func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, of: Choice.Type) throws(FieldRefusal)
            -> Choice? where Choice.RawValue == String
        {
            guard let text = try text(key) else { return nil }
            guard let value = Choice(rawValue: text) else {
                let names = Choice.allCases.map(\.rawValue).joined(separator: ", ")
                throw FieldRefusal("unknown \(key) '\(text.prefix(40))' (expected one of \(names))")
            }
            return value
        }
    }
}
