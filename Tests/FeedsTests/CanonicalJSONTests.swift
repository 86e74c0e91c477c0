import CDRModel
import Feeds
import Testing

/// The canonical JSON line of records and rejections (`cdrstore parse`).
struct CanonicalJSONTests {
    /// The example object of the README's "Canonical record" section.
    static let readmeLine =
        #"{"start_time":"2026-10-11T12:03:27Z","answer_time":"2026-10-11T12:03:30Z","end_time":"2026-10-11T12:05:30Z","#
        + #""duration_s":123,"billable_s":120,"source":"+46701234567","destination":"+46812345678","source_ip":null,"#
        + #""call_type":"voice","disposition":"answered","equipment":"SIP/alice","account":"acme","#
        + #""record_key":"1760184207.42","linked_key":null}"#

    @Test("A record by hand gives the README's example line")
    func golden() {
        #expect(CanonicalJSON.line(for: defaultRecord()) == Self.readmeLine)
    }

    @Test("The README's example line parsed from Asterisk CSV gives the README's JSON")
    func goldenFromCSV() throws {
        let outcome = try parseAll(AsteriskRow().bytes)
        let call = try #require(outcome.events.first?.call)
        #expect(CanonicalJSON.line(for: call) == Self.readmeLine)
    }

    @Test("Absent values are null; IP addresses, fax and other dispositions are written")
    func nullsAndOtherValues() throws {
        let parsedAddress: IPAddress? = IPAddress("2001:db8::1")
        let address = try #require(parsedAddress)
        let record = CallRecord(
            startTime: -500_000, answerTime: nil, endTime: 7_000_001, durationSeconds: 7, billableSeconds: 0,
            source: "1001", destination: "s", sourceIP: address, callType: .fax,
            disposition: .noAnswer)
        #expect(
            CanonicalJSON.line(for: record)
                == #"{"start_time":"1969-12-31T23:59:59.500000Z","answer_time":null,"end_time":"1970-01-01T00:00:07.000001Z","#
                + #""duration_s":7,"billable_s":0,"source":"1001","destination":"s","source_ip":"2001:db8::1","#
                + #""call_type":"fax","disposition":"no_answer","equipment":null,"account":null,"record_key":null,"linked_key":null}"#
        )
    }

    @Test("Strings are escaped")
    func escaping() {
        var record = defaultRecord()
        record.account = "a\"b\\c\nd\re\tf\u{01}g\u{1F}h/é€😀"
        let line = CanonicalJSON.line(for: record)
        #expect(line.contains(#""account":"a\"b\\c\nd\re\tf\u0001g\u001fh/é€😀","#))
    }

    @Test("A rejection: reason, position and raw bytes")
    func rejection() {
        let rejection = Rejection(
            offset: 120, line: 3, raw: Array("\"a\",b".utf8), reason: "expected 16 to 21 columns, found 2")
        #expect(
            CanonicalJSON.line(for: rejection)
                == #"{"reject":"expected 16 to 21 columns, found 2","position":{"offset":120,"line":3},"raw":"\"a\",b"}"#
        )
    }

    @Test("Invalid UTF-8 in a rejection's raw bytes is shown as U+FFFD")
    func rejectionWithInvalidUTF8() {
        let rejection = Rejection(offset: 0, line: 1, raw: [0x61, 0xFF, 0x62, 0x09], reason: "bad")
        #expect(
            CanonicalJSON.line(for: rejection)
                == "{\"reject\":\"bad\",\"position\":{\"offset\":0,\"line\":1},\"raw\":\"a\u{FFFD}b\\t\"}")
    }

    @Test(
        "Timestamps: whole seconds without a fraction, else six digits of microseconds; before 1970 too",
        arguments: [
            (Int64(0), "1970-01-01T00:00:00Z"), (1, "1970-01-01T00:00:00.000001Z"),
            (1_500_000, "1970-01-01T00:00:01.500000Z"), (999_999, "1970-01-01T00:00:00.999999Z"),
            (-1, "1969-12-31T23:59:59.999999Z"), (-1_000_000, "1969-12-31T23:59:59Z"),
            (-1_000_001, "1969-12-31T23:59:58.999999Z"), (-86_400_000_000, "1969-12-31T00:00:00Z"),
            (-2_208_988_800_000_000, "1900-01-01T00:00:00Z"), (-2_208_988_799_999_990, "1900-01-01T00:00:00.000010Z"),
            (1_791_720_207_000_000, "2026-10-11T12:03:27Z"), (951_868_799_123_456, "2000-02-29T23:59:59.123456Z"),
        ])
    func timestamps(microseconds: Int64, text: String) {
        #expect(CanonicalJSON.timestamp(microseconds) == text)
    }

    @Test("Timestamps agree with a naive calendar over many instants")
    func timestampsAgainstReference() {
        var value: Int64 = -4_000_000_000_000_000
        while value < 4_000_000_000_000_000 {
            let text = CanonicalJSON.timestamp(value)
            let digits = text.split(whereSeparator: { "-T:.Z".contains($0) }).map { Int($0)! }
            let whole = microseconds(digits[0], digits[1], digits[2], digits[3], digits[4], digits[5])
            let fraction = digits.count > 6 ? Int64(digits[6]) : 0
            #expect(whole + fraction == value, "\(value) → \(text)")
            #expect(digits.count == 6 || (text.count == 27 && fraction != 0))
            value += 3_999_999_999_937
        }
    }

    @Test(
        "JSONObjectWriter writes decimals with a fixed number of digits",
        arguments: [
            (1.5, 2, "1.50"), (0.05, 1, "0.1"), (-0.25, 1, "-0.3"), (-0.05, 2, "-0.05"), (12.345, 0, "12"),
            (0.0, 3, "0.000"), (123.456, 1, "123.5"),
        ])
    func decimals(value: Double, digits: Int, text: String) {
        var writer = JSONObjectWriter()
        writer.add("v", value, digits: digits)
        #expect(writer.finish() == "{\"v\":\(text)}")
    }

    @Test("JSONObjectWriter: empty object, nulls, integers and raw values in order")
    func writer() {
        #expect(JSONObjectWriter().finish() == "{}")
        var writer = JSONObjectWriter()
        writer.add("a", nil as String?)
        writer.add("b", -3)
        writer.add("c", nil as Int?)
        writer.addRaw("d", "[1,2]")
        writer.add("e", "x")
        #expect(writer.finish() == #"{"a":null,"b":-3,"c":null,"d":[1,2],"e":"x"}"#)
    }
}
