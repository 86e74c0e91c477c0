import Testing

@testable import Handover

/// The store's ISO 8601 UTC text turned into ASN.1 GeneralizedTime text.
struct GeneralizedTimeTests {
    @Test(
        "Times are whole seconds ending in Z; a fraction is truncated, never rounded up",
        arguments: [
            ("2026-03-15T14:30:00.000000Z", "20260315143000Z"),  // the store's form, whole seconds
            ("2026-11-29T10:15:00Z", "20261129101500Z"),  // no fraction at all
            ("2026-03-15T14:30:00.250000Z", "20260315143000Z"),
            ("2026-03-15T14:30:00.999999Z", "20260315143000Z"),  // not rounded to the next second
            ("2026-12-31T23:59:59.999999Z", "20261231235959Z"),  // nor into the next year
            ("2026-03-15T14:30:00.5Z", "20260315143000Z"),  // a short fraction
            ("2026-03-15T14:30:00.0Z", "20260315143000Z"),
        ])
    func converts(iso8601: String, generalized: String) {
        #expect(GeneralizedTime(iso8601: iso8601)?.text == generalized)
        #expect(GeneralizedTime.text(of: iso8601) == generalized)
    }

    @Test(
        "Text of another shape is not converted and is handed on unchanged",
        arguments: [
            "",
            "2026-03-15 14:30:00Z",  // a space, not T
            "2026-03-15T14:30:00",  // no Z
            "2026-03-15T14:30:00+01:00",  // an offset, not UTC
            "2026-03-15T14:30:00.Z",  // a point without digits
            "2026-03-15T14:30:00,25Z",  // a comma
            "2026-03-15T14:30:00.12a4Z",
            "2026-3-15T14:30:00Z",  // a one-digit month
            "2026-03-15t14:30:00z",
            "２026-03-15T14:30:00Z",  // a full-width digit
        ])
    func refuses(text: String) {
        #expect(GeneralizedTime(iso8601: text) == nil)
        #expect(GeneralizedTime.text(of: text) == text)
    }
}
