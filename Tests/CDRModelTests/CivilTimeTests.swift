import CDRModel
import Testing

/// Parsing, validation and day arithmetic of wall-clock times without a zone.
struct CivilTimeTests {
    private func parse(_ text: String) -> CivilTime? {
        Array(text.utf8).withUnsafeBytes { CivilTime.parse($0) }
    }

    @Test("Parses YYYY-MM-DD HH:MM:SS with a space or a T")
    func parsesValidText() throws {
        let spaced = try #require(parse("2026-10-11 14:03:27"))
        #expect(spaced == CivilTime(year: 2026, month: 10, day: 11, hour: 14, minute: 3, second: 27))
        #expect(parse("2026-10-11T14:03:27") == spaced)
        #expect(parse("0001-01-01 00:00:00") == CivilTime(year: 1, month: 1, day: 1))
        #expect(
            parse("9999-12-31 23:59:59") == CivilTime(year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59))
    }

    @Test("Parses a slice of a larger buffer")
    func parsesSlice() {
        let bytes = Array("start=2026-01-02 03:04:05;".utf8)
        let parsed = bytes.withUnsafeBytes { CivilTime.parse(UnsafeRawBufferPointer(rebasing: $0[6..<25])) }
        #expect(parsed == CivilTime(year: 2026, month: 1, day: 2, hour: 3, minute: 4, second: 5))
    }

    @Test(
        "Refuses text that is not exactly YYYY-MM-DD HH:MM:SS",
        arguments: [
            "", "2026-10-11", "2026-10-11 14:03", "2026-10-11 14:03:2", "2026-10-11 14:03:270",
            " 2026-10-11 14:03:27", "2026-10-11 14:03:27 ", "2026/10/11 14:03:27", "2026-10-11_14:03:27",
            "2026-10-11 14.03.27", "2026-1O-11 14:03:27", "2026-10-11 14:03:2x", "-026-10-11 14:03:27",
            "+026-10-11 14:03:27", "2026-10-11 1 :03:27", "2026-10-1114:03:27Z", "２026-10-11 14:03:2",
            "2026-10-11t14:03:27",
        ])
    func refusesMalformedText(text: String) {
        #expect(parse(text) == nil)
    }

    @Test("Parsing checks the form only; isValid checks the values")
    func parseDoesNotValidate() throws {
        let parsed = try #require(parse("2026-13-45 25:61:61"))
        #expect(parsed == CivilTime(year: 2026, month: 13, day: 45, hour: 25, minute: 61, second: 61))
        #expect(!parsed.isValid)
    }

    @Test(
        "isValid knows month lengths and leap years",
        arguments: [
            (2024, 2, 29, true), (2026, 2, 29, false), (2026, 2, 28, true), (2000, 2, 29, true),
            (1900, 2, 29, false), (2100, 2, 29, false), (2400, 2, 29, true), (1996, 2, 29, true),
            (2026, 2, 30, false), (2026, 4, 30, true), (2026, 4, 31, false), (2026, 6, 31, false),
            (2026, 9, 31, false), (2026, 11, 31, false), (2026, 1, 31, true), (2026, 3, 31, true),
            (2026, 5, 31, true), (2026, 7, 31, true), (2026, 8, 31, true), (2026, 10, 31, true),
            (2026, 12, 31, true), (2026, 12, 32, false), (2026, 1, 0, false), (2026, 0, 1, false),
            (2026, 13, 1, false),
        ])
    func dateValidity(year: Int, month: Int, day: Int, valid: Bool) {
        #expect(CivilTime(year: year, month: month, day: day, hour: 12).isValid == valid)
    }

    @Test(
        "isValid checks the time of day",
        arguments: [
            (0, 0, 0, true), (23, 59, 59, true), (24, 0, 0, false), (12, 60, 0, false), (12, 0, 60, false),
            (-1, 0, 0, false), (12, -1, 0, false), (12, 0, -1, false),
        ])
    func timeValidity(hour: Int, minute: Int, second: Int, valid: Bool) {
        #expect(CivilTime(year: 2026, month: 6, day: 1, hour: hour, minute: minute, second: second).isValid == valid)
    }

    @Test("daysInMonth agrees with a naive calendar for every month of four centuries")
    func daysInMonth() {
        for year in 1800...2200 {
            for month in 1...12 {
                #expect(
                    CivilTime.daysInMonth(year: year, month: month)
                        == ReferenceCalendar.monthLength(year: year, month: month))
            }
        }
    }

    @Test(
        "daysFromCivil at known dates",
        arguments: [
            (1970, 1, 1, 0), (1970, 1, 2, 1), (1969, 12, 31, -1), (1972, 3, 1, 790), (2000, 1, 1, 10_957),
            (2000, 3, 1, 11_017), (2026, 1, 1, 20_454), (2026, 6, 1, 20_605), (1900, 1, 1, -25_567),
            (1600, 3, 1, -135_080),
        ])
    func knownDays(year: Int, month: Int, day: Int, days: Int) {
        #expect(CivilTime.daysFromCivil(year: year, month: month, day: day) == days)
        #expect(ReferenceCalendar.days(year, month, day) == days)
        let back = CivilTime.civilFromDays(days)
        #expect(back.year == year && back.month == month && back.day == day)
    }

    @Test("daysFromCivil and civilFromDays agree with a day-by-day walk over ±200,000 days")
    func dayWalk() {
        var date = (year: 1970, month: 1, day: 1)
        for days in 0...200_000 {
            #expect(CivilTime.daysFromCivil(year: date.year, month: date.month, day: date.day) == days)
            let civil = CivilTime.civilFromDays(days)
            guard civil.year == date.year, civil.month == date.month, civil.day == date.day else {
                Issue.record("civilFromDays(\(days)) = \(civil), expected \(date)")
                return
            }
            date = ReferenceCalendar.next(date)
        }
        date = (1970, 1, 1)
        for days in stride(from: 0, through: -200_000, by: -1) {
            #expect(CivilTime.daysFromCivil(year: date.year, month: date.month, day: date.day) == days)
            let civil = CivilTime.civilFromDays(days)
            guard civil.year == date.year, civil.month == date.month, civil.day == date.day else {
                Issue.record("civilFromDays(\(days)) = \(civil), expected \(date)")
                return
            }
            date = ReferenceCalendar.previous(date)
        }
    }

    @Test(
        "init(unixSeconds:) gives the UTC wall time, also before 1970",
        arguments: [
            (Int64(0), "1970-01-01 00:00:00"), (-1, "1969-12-31 23:59:59"), (-86_400, "1969-12-31 00:00:00"),
            (-86_401, "1969-12-30 23:59:59"), (86_399, "1970-01-01 23:59:59"), (951_782_400, "2000-02-29 00:00:00"),
            (1_791_720_207, "2026-10-11 12:03:27"), (-2_208_988_800, "1900-01-01 00:00:00"),
            (4_102_444_799, "2099-12-31 23:59:59"),
        ])
    func fromUnixSeconds(seconds: Int64, text: String) {
        #expect(CivilTime(unixSeconds: seconds).text == text)
    }

    @Test("init(unixSeconds:) and secondsAsIfUTC are inverse, checked against a naive calendar")
    func unixSecondsRoundTrip() {
        var seconds: Int64 = -3_000_000_000
        while seconds < 5_000_000_000 {
            let civil = CivilTime(unixSeconds: seconds)
            #expect(civil.isValid)
            #expect(civil.secondsAsIfUTC == seconds)
            #expect(
                ReferenceCalendar.seconds(civil.year, civil.month, civil.day, civil.hour, civil.minute, civil.second)
                    == seconds)
            seconds += 86_400 * 3 + 3_607  // drifts through every time of day
        }
    }

    @Test("secondsAsIfUTC of a hand-computed instant")
    func secondsAsIfUTC() {
        let civil = CivilTime(year: 2026, month: 10, day: 11, hour: 12, minute: 3, second: 27)
        #expect(civil.secondsAsIfUTC == 1_791_720_207)
        #expect(civil.secondsAsIfUTC == ReferenceCalendar.seconds(2026, 10, 11, 12, 3, 27))
    }

    @Test("text pads every part")
    func textPadding() {
        #expect(CivilTime(year: 987, month: 1, day: 2, hour: 3, minute: 4, second: 5).text == "0987-01-02 03:04:05")
        #expect(
            CivilTime(year: 2026, month: 12, day: 31, hour: 23, minute: 59, second: 59).text == "2026-12-31 23:59:59")
    }

    @Test("parseDate accepts only a real YYYY-MM-DD")
    func parseDate() {
        #expect(CivilTime.parseDate("2026-02-28") == CivilTime(year: 2026, month: 2, day: 28))
        #expect(CivilTime.parseDate("2024-02-29") == CivilTime(year: 2024, month: 2, day: 29))
        #expect(CivilTime.parseDate("2026-02-29") == nil)
        #expect(CivilTime.parseDate("2026-02-30") == nil)
        #expect(CivilTime.parseDate("2026-2-28") == nil)
        #expect(CivilTime.parseDate("2026-02-28 00:00:00") == nil)
        #expect(CivilTime.parseDate("") == nil)
    }
}
