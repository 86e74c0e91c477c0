import CDRModel
import Postgres
import Store
import TestSupport
import Testing

/// The ceiling and future limits ingest applies, with the ceiling counted by the store in calendar months.
@Suite struct IngestWindowTests {
    private func micros(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0) -> Int64 {
        CivilTime(year: year, month: month, day: day, hour: hour).secondsAsIfUTC * 1_000_000
    }

    @Test(arguments: [
        ((2026, 11, 29, 3), (2024, 11, 29, 3)),
        ((2026, 3, 31, 0), (2024, 3, 31, 0)),
        ((2026, 2, 28, 0), (2024, 2, 28, 0)),
        ((2026, 5, 31, 12), (2024, 5, 31, 12)),
    ])
    func ceilingIsWholeCalendarMonthsBack(now: (Int, Int, Int, Int), expected: (Int, Int, Int, Int)) throws {
        let connection = try Connection(try TestDatabase.createMigrated(prefix: "win"))
        let window = try IngestWindow.load(from: connection, now: micros(now.0, now.1, now.2, now.3))
        #expect(window.oldest == micros(expected.0, expected.1, expected.2, expected.3))
        #expect(window.ceilingMonths == 24)
    }

    @Test func aMonthEndClampsToTheShorterMonth() throws {
        let connection = try Connection(try TestDatabase.createMigrated(prefix: "win"))
        try connection.execute("UPDATE cdr.settings SET retention_ceiling_months = 13, retention_floor_months = 6")
        let window = try IngestWindow.load(from: connection, now: micros(2025, 3, 31))
        #expect(window.oldest == micros(2024, 2, 29))
    }

    @Test func refusesOlderThanCeilingAndMoreThanADayAhead() {
        let window = IngestWindow(now: micros(2026, 11, 29), oldest: micros(2024, 11, 29), ceilingMonths: 24)
        #expect(window.refusal(start: micros(2024, 11, 29)) == nil)
        #expect(window.refusal(start: micros(2024, 11, 28, 23))?.contains("older than the retention ceiling") == true)
        #expect(window.refusal(start: micros(2026, 11, 30)) == nil)
        #expect(window.refusal(start: micros(2026, 11, 30, 1))?.contains("more than a day in the future") == true)
    }
}
