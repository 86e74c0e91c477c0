/// A deliberately naive proleptic Gregorian calendar (counting days year by year and month by month),
/// independent of `CivilTime`'s algorithms, for computing expected values in tests.
enum ReferenceCalendar {
    /// True for leap years of the Gregorian calendar.
    static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    /// The length of a month.
    static func monthLength(year: Int, month: Int) -> Int {
        [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }

    /// Days since 1970-01-01, by counting.
    static func days(_ year: Int, _ month: Int, _ day: Int) -> Int {
        var total = 0
        if year >= 1970 {
            for each in 1970..<year { total += isLeap(each) ? 366 : 365 }
        } else {
            for each in year..<1970 { total -= isLeap(each) ? 366 : 365 }
        }
        for each in 1..<month { total += monthLength(year: year, month: each) }
        return total + day - 1
    }

    /// Unix seconds of a wall time whose UTC offset is `offsetSeconds` (east positive).
    static func seconds(
        _ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0,
        offsetSeconds: Int = 0
    ) -> Int64 {
        Int64(days(year, month, day)) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
    }

    /// The day after a date.
    static func next(_ date: (year: Int, month: Int, day: Int)) -> (year: Int, month: Int, day: Int) {
        if date.day < monthLength(year: date.year, month: date.month) { return (date.year, date.month, date.day + 1) }
        if date.month < 12 { return (date.year, date.month + 1, 1) }
        return (date.year + 1, 1, 1)
    }

    /// The day before a date.
    static func previous(_ date: (year: Int, month: Int, day: Int)) -> (year: Int, month: Int, day: Int) {
        if date.day > 1 { return (date.year, date.month, date.day - 1) }
        if date.month > 1 { return (date.year, date.month - 1, monthLength(year: date.year, month: date.month - 1)) }
        return (date.year - 1, 12, 31)
    }
}
