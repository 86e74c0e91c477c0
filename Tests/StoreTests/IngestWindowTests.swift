import CDRModel
import Store
import Testing

/// The ceiling and future limits ingest applies, computed in calendar months.
@Suite struct IngestWindowTests {
    private func micros(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0) -> Int64 {
        CivilTime(year: year, month: month, day: day, hour: hour).secondsAsIfUTC * 1_000_000
    }

    @Test func ceilingIsWholeCalendarMonthsBack() {
        #expect(IngestWindow.subtractingMonths(24, from: micros(2026, 11, 29, 3)) == micros(2024, 11, 29, 3))
        #expect(IngestWindow.subtractingMonths(1, from: micros(2026, 3, 31)) == micros(2026, 2, 28))
        #expect(IngestWindow.subtractingMonths(24, from: micros(2026, 2, 28)) == micros(2024, 2, 28))
        #expect(IngestWindow.subtractingMonths(12, from: micros(2025, 1, 15)) == micros(2024, 1, 15))
    }

    @Test func refusesOlderThanCeilingAndMoreThanADayAhead() {
        let window = IngestWindow(now: micros(2026, 11, 29), ceilingMonths: 24)
        #expect(window.refusal(start: micros(2024, 11, 29)) == nil)
        #expect(window.refusal(start: micros(2024, 11, 28, 23))?.contains("older than the retention ceiling") == true)
        #expect(window.refusal(start: micros(2026, 11, 30)) == nil)
        #expect(window.refusal(start: micros(2026, 11, 30, 1))?.contains("more than a day in the future") == true)
    }
}
