import CDRModel

/// Decodes one FreeSWITCH mod_json_cdr document (`--format freeswitch-json`): a channel's
/// `variables`, its `callflow` (an array, or repeated `"callflow"` keys in older versions) and
/// `callStats`. Usable on its own by a server that receives mod_json_cdr posts
/// (with `FreeSWITCHPushBody`).
///
/// Variable values are percent-decoded (`%XX`) whether or not mod_json_cdr's `encode-values`
/// was on: it is on by default, and a literal `%` followed by two hex digits is not expected in
/// the fields read here.
public struct FreeSWITCHJSONDecoder: Sendable {
    private let normaliser: NumberNormaliser
    private let clock: ZoneClock

    /// Creates a decoder; `clock` is the zone of the `*_stamp` wall times, used only when a
    /// document has neither µs epochs nor callflow times.
    public init(normaliser: NumberNormaliser, clock: ZoneClock) {
        self.normaliser = normaliser
        self.clock = clock
    }

    /// Decodes the bytes of one JSON document into a call, or says why it cannot.
    public func decode(document: UnsafeRawBufferPointer) -> DecodedRecord {
        let json: JSONValue
        do {
            json = try JSONReader.read(document)
        } catch {
            return .rejected("not a JSON document: \(error)")
        }
        guard case .object = json, let variables = json["variables"], case .object = variables else {
            return .rejected("no \"variables\" object: not a FreeSWITCH mod_json_cdr document")
        }
        do {
            return .record(try record(Document(json: json, variables: variables)))
        } catch {
            return .rejected(error.reason)
        }
    }

    private func record(_ document: Document) throws(FieldRefusal) -> CallRecord {
        let start = try document.time(epoch: "start_uepoch", callflow: "created_time", stamp: "start_stamp", clock)
        guard let start else {
            throw FieldRefusal("no start time (variables.start_uepoch, callflow times.created_time or start_stamp)")
        }
        let end = try document.time(epoch: "end_uepoch", callflow: "hangup_time", stamp: "end_stamp", clock)
        guard let end else {
            throw FieldRefusal("no end time (variables.end_uepoch, callflow times.hangup_time or end_stamp)")
        }
        let answer = try document.time(epoch: "answer_uepoch", callflow: "answered_time", stamp: "answer_stamp", clock)
        let duration = try document.seconds("duration") ?? FieldValue.secondsBetween(start, end)
        let billable = try document.seconds("billsec") ?? answer.map { FieldValue.secondsBetween($0, end) } ?? 0
        try FieldValue.checkTimes(start: start, answer: answer, end: end, duration: duration, billable: billable)
        let profile = document.profile
        guard
            let source = try document.text(profile: "caller_id_number", variables: "caller_id_number", "sip_from_user")
        else {
            throw FieldRefusal(
                "no caller (callflow caller_profile.caller_id_number, variables.caller_id_number or sip_from_user)")
        }
        guard
            let destination = try document.text(
                profile: "destination_number", variables: "destination_number", "sip_to_user")
        else {
            throw FieldRefusal(
                "no destination (callflow caller_profile.destination_number, variables.destination_number or sip_to_user)"
            )
        }
        var recordKey = try document.variable("uuid")
        if recordKey == nil { recordKey = try profile?.text("uuid") }
        return CallRecord(
            startTime: start, answerTime: answer, endTime: end, durationSeconds: duration, billableSeconds: billable,
            source: normaliser.normalise(source), destination: normaliser.normalise(destination),
            sourceIP: try sourceIP(document, profile), callType: try callType(document),
            disposition: FreeSWITCHHangupCause.disposition(try document.variable("hangup_cause"), billsec: billable),
            equipment: try document.variable("sip_user_agent"), account: try document.variable("accountcode"),
            recordKey: recordKey, linkedKey: try document.variable("originator"))
    }

    /// `variables.sip_received_ip` (where the INVITE came from), else the caller profile's `network_addr`.
    private func sourceIP(_ document: Document, _ profile: Fields?) throws(FieldRefusal) -> IPAddress? {
        var name = "variables.sip_received_ip"
        var text = try document.variable("sip_received_ip")
        if text == nil {
            name = "caller_profile.network_addr"
            text = try profile?.text("network_addr")
        }
        guard let text else { return nil }
        guard let address = IPAddress(text) else {
            throw FieldRefusal("\(name) '\(text.prefix(40))' is not an IPv4 or IPv6 address")
        }
        return address
    }

    /// Fax when the channel ran a fax (`fax_success`, `fax_result_code`) or negotiated T.38 (`has_t38`);
    /// video when a video codec was in use (`video_read_codec`, `rtp_use_video_codec_name`) or
    /// `callStats` has video; else voice. `video_possible`/`video_media_flow` are not enough: they
    /// are set when video was only offered.
    private func callType(_ document: Document) throws(FieldRefusal) -> CallType {
        for name in ["fax_success", "fax_result_code", "has_t38"] where try document.variable(name) != nil {
            return .fax
        }
        for name in ["video_read_codec", "rtp_use_video_codec_name"] where try document.variable(name) != nil {
            return .video
        }
        return document.json["callStats"]?["video"] == nil ? .voice : .video
    }

    /// String members of one JSON object, read as a field rule needs them.
    private struct Fields {
        let object: JSONValue
        let prefix: String
        let percentDecoding: Bool

        /// The member's text (a string, or a number's text); nil when absent, null or empty.
        func text(_ name: String) throws(FieldRefusal) -> String? {
            let text: String
            switch object[name] {
            case .string(let value)?: text = value
            case .number(let value)?: text = value
            case nil, .null?: return nil
            case let other?: throw FieldRefusal("\(prefix)\(name) must be a string, found \(other.kind)")
            }
            guard percentDecoding, text.utf8.contains(UInt8(ascii: "%")) else { return text.isEmpty ? nil : text }
            let decoded = FieldValue.percentDecoded(text.utf8, plusIsSpace: false)
            guard let valid = decoded.withUnsafeBytes({ FieldValue.string(validating: $0) }) else {
                throw FieldRefusal("\(prefix)\(name) is not valid UTF-8 once percent-decoded")
            }
            return valid.isEmpty ? nil : valid
        }
    }

    /// One document: its variables, its callflow entries and the profile that names the parties.
    private struct Document {
        let json: JSONValue
        let variables: Fields
        let callflow: [JSONValue]

        init(json: JSONValue, variables: JSONValue) {
            self.json = json
            self.variables = Fields(object: variables, prefix: "variables.", percentDecoding: true)
            callflow = json.values(named: "callflow").flatMap { entry -> [JSONValue] in
                if case .array(let entries) = entry { return entries }
                return [entry]
            }
        }

        func variable(_ name: String) throws(FieldRefusal) -> String? { try variables.text(name) }

        /// The caller profile's `key`, else the first of the variables `names` that is set.
        func text(profile key: String, variables names: String...) throws(FieldRefusal) -> String? {
            if let text = try profile?.text(key) { return text }
            for name in names {
                if let text = try variable(name) { return text }
            }
            return nil
        }

        /// The caller profile of the callflow entry with `profile_index` 1 (the call as it first
        /// arrived; FreeSWITCH lists the newest profile first), else of the first entry.
        var profile: Fields? {
            let entry = callflow.first { $0["profile_index"]?.string == "1" } ?? callflow.first
            guard let profile = entry?["caller_profile"] else { return nil }
            return Fields(object: profile, prefix: "caller_profile.", percentDecoding: false)
        }

        /// Whole seconds from a variable, or nil when it is absent.
        func seconds(_ name: String) throws(FieldRefusal) -> Int32? {
            guard let text = try variable(name) else { return nil }
            return try FieldValue.reading(text) { raw throws(FieldRefusal) in
                try FieldValue.seconds(raw, "variables." + name)
            }
        }

        /// A time from the µs epoch variable (0 = never), else from the callflow entries' times
        /// (the earliest non-zero creation or answer, the latest hang-up), else from the wall-time stamp.
        func time(epoch: String, callflow key: String, stamp: String, _ clock: ZoneClock) throws(FieldRefusal)
            -> Int64?
        {
            if let text = try variable(epoch) {
                let value = try Self.microseconds(text, "variables." + epoch)
                return value == 0 ? nil : value
            }
            var found: [Int64] = []
            for entry in callflow {
                let times = Fields(object: entry["times"] ?? .null, prefix: "callflow times.", percentDecoding: false)
                if let text = try times.text(key) {
                    let value = try Self.microseconds(text, "callflow times." + key)
                    if value != 0 { found.append(value) }
                }
            }
            if !found.isEmpty { return key == "hangup_time" ? found.max() : found.min() }
            guard let text = try variable(stamp) else { return nil }
            return try FieldValue.reading(text) { raw throws(FieldRefusal) in
                try FieldValue.wallTime(raw, "variables." + stamp, clock: clock, required: true)
            }
        }

        private static func microseconds(_ text: String, _ name: String) throws(FieldRefusal) -> Int64 {
            guard let value = text.utf8.count <= 18 ? Int64(text) : nil, value >= 0,
                text.utf8.first != UInt8(ascii: "+")
            else { throw FieldRefusal("\(name) '\(text.prefix(40))' is not µs since the epoch") }
            return value
        }
    }
}
