import CDRModel
import Testing

/// Wall time to UTC and back in IANA zones, including both daylight-saving changes.
struct ZoneClockTests {
    private func stockholm() throws -> ZoneClock {
        try #require(ZoneClock(identifier: "Europe/Stockholm"))
    }

    private func wall(
        _ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0, _ second: Int = 0
    ) -> CivilTime {
        CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }

    @Test("Stockholm is UTC+1 in winter")
    func winter() throws {
        let clock = try stockholm()
        #expect(clock.utcSeconds(for: wall(2026, 1, 15, 12)) == ReferenceCalendar.seconds(2026, 1, 15, 11))
        #expect(
            clock.utcSeconds(for: wall(2026, 12, 31, 23, 59, 59)) == ReferenceCalendar.seconds(2026, 12, 31, 22, 59, 59)
        )
        #expect(clock.utcSeconds(for: wall(2026, 1, 1, 0, 30)) == ReferenceCalendar.seconds(2025, 12, 31, 23, 30))
    }

    @Test("Stockholm is UTC+2 in summer")
    func summer() throws {
        let clock = try stockholm()
        #expect(clock.utcSeconds(for: wall(2026, 7, 15, 12)) == ReferenceCalendar.seconds(2026, 7, 15, 10))
        #expect(
            clock.utcSeconds(for: wall(2026, 10, 11, 14, 3, 27)) == ReferenceCalendar.seconds(2026, 10, 11, 12, 3, 27))
        #expect(clock.utcSeconds(for: wall(2026, 6, 1, 1, 15)) == ReferenceCalendar.seconds(2026, 5, 31, 23, 15))
    }

    @Test("In the autumn hour that happens twice, a wall time takes its first occurrence (the earlier instant)")
    func autumnAmbiguousHour() throws {
        let clock = try stockholm()
        // 2026-10-25: 03:00 CEST (01:00 UTC) becomes 02:00 CET, so 02:00-02:59:59 happens twice.
        #expect(clock.utcSeconds(for: wall(2026, 10, 25, 2, 30)) == ReferenceCalendar.seconds(2026, 10, 25, 0, 30))
        #expect(clock.utcSeconds(for: wall(2026, 10, 25, 2, 0)) == ReferenceCalendar.seconds(2026, 10, 25, 0, 0))
        #expect(
            clock.utcSeconds(for: wall(2026, 10, 25, 2, 59, 59)) == ReferenceCalendar.seconds(2026, 10, 25, 0, 59, 59))
        #expect(
            clock.utcSeconds(for: wall(2026, 10, 25, 1, 59, 59)) == ReferenceCalendar.seconds(2026, 10, 24, 23, 59, 59))
        #expect(clock.utcSeconds(for: wall(2026, 10, 25, 3, 0)) == ReferenceCalendar.seconds(2026, 10, 25, 2, 0))
    }

    @Test("The same answers whatever order the times are asked in (the per-quarter-hour cache)")
    func cacheOrderIndependent() throws {
        let times = (0..<(6 * 60)).map { minute in wall(2026, 10, 25, minute / 60, minute % 60, 17) }
        let forward = try stockholm()
        let backward = try stockholm()
        let ascending = times.map { forward.utcSeconds(for: $0) }
        let descending = Array(times.reversed().map { backward.utcSeconds(for: $0) }.reversed())
        #expect(ascending == descending)
        #expect(ascending[150] == ReferenceCalendar.seconds(2026, 10, 25, 0, 30, 17))  // 02:30:17 → first occurrence
    }

    @Test(
        "A wall time in the spring gap does not exist",
        arguments: [(2, 0, 0), (2, 30, 0), (2, 59, 59), (2, 14, 59), (2, 15, 0)])
    func springGap(hour: Int, minute: Int, second: Int) throws {
        let clock = try stockholm()
        // 2026-03-29: 02:00 CET (01:00 UTC) becomes 03:00 CEST.
        #expect(clock.utcSeconds(for: wall(2026, 3, 29, hour, minute, second)) == nil)
    }

    @Test("The edges of the spring gap exist")
    func springGapEdges() throws {
        let clock = try stockholm()
        #expect(
            clock.utcSeconds(for: wall(2026, 3, 29, 1, 59, 59)) == ReferenceCalendar.seconds(2026, 3, 29, 0, 59, 59))
        #expect(clock.utcSeconds(for: wall(2026, 3, 29, 3, 0)) == ReferenceCalendar.seconds(2026, 3, 29, 1, 0))
        #expect(clock.utcSeconds(for: wall(2026, 3, 28, 2, 30)) == ReferenceCalendar.seconds(2026, 3, 28, 1, 30))
        #expect(clock.utcSeconds(for: wall(2026, 3, 30, 2, 30)) == ReferenceCalendar.seconds(2026, 3, 30, 0, 30))
    }

    @Test("Other zones: New York's changes, and half-hour offsets and changes")
    func otherZones() throws {
        let newYork = try #require(ZoneClock(identifier: "America/New_York"))
        #expect(newYork.utcSeconds(for: wall(2026, 11, 1, 1, 30)) == ReferenceCalendar.seconds(2026, 11, 1, 5, 30))
        #expect(newYork.utcSeconds(for: wall(2026, 3, 8, 2, 30)) == nil)
        #expect(newYork.utcSeconds(for: wall(2026, 1, 10, 9, 0)) == ReferenceCalendar.seconds(2026, 1, 10, 14, 0))

        let kathmandu = try #require(ZoneClock(identifier: "Asia/Kathmandu"))
        #expect(kathmandu.utcSeconds(for: wall(2026, 1, 1, 0, 0)) == ReferenceCalendar.seconds(2025, 12, 31, 18, 15))

        // Lord Howe Island moves its clocks by 30 minutes: +10:30 in winter, +11 in summer.
        let lordHowe = try #require(ZoneClock(identifier: "Australia/Lord_Howe"))
        #expect(lordHowe.utcSeconds(for: wall(2026, 10, 4, 2, 15)) == nil)
        #expect(lordHowe.utcSeconds(for: wall(2026, 10, 4, 2, 30)) == ReferenceCalendar.seconds(2026, 10, 3, 15, 30))
        #expect(lordHowe.utcSeconds(for: wall(2026, 10, 4, 1, 59)) == ReferenceCalendar.seconds(2026, 10, 3, 15, 29))
        #expect(lordHowe.utcSeconds(for: wall(2026, 4, 5, 1, 45)) == ReferenceCalendar.seconds(2026, 4, 4, 14, 45))
        #expect(lordHowe.utcSeconds(for: wall(2026, 4, 5, 2, 0)) == ReferenceCalendar.seconds(2026, 4, 4, 15, 30))
    }

    @Test(
        "Canonical IANA names of the tz database are accepted",
        arguments: [
            ("Asia/Kolkata", 19_800), ("Etc/UTC", 0), ("Asia/Calcutta", 19_800), ("Europe/Kyiv", 7_200),
            ("America/Sao_Paulo", -10_800),
        ])
    func canonicalNames(name: String, januaryOffset: Int) throws {
        let clock = try #require(ZoneClock(identifier: name), "README: --tz takes an IANA name; \(name) is one")
        #expect(clock.identifier == name)
        #expect(
            clock.utcSeconds(for: wall(2026, 1, 15, 12))
                == ReferenceCalendar.seconds(2026, 1, 15, 12, offsetSeconds: januaryOffset))
    }

    @Test("UTC has no offset and no gaps")
    func utc() throws {
        let clock = try #require(ZoneClock(identifier: "UTC"))
        #expect(clock.identifier == "UTC")
        #expect(clock.utcSeconds(for: wall(2026, 3, 29, 2, 30)) == ReferenceCalendar.seconds(2026, 3, 29, 2, 30))
        #expect(clock.utcSeconds(for: wall(1969, 12, 31, 23, 59, 59)) == -1)
        #expect(clock.civilTime(unixSeconds: 0) == wall(1970, 1, 1, 0))
    }

    @Test("Unknown zone names are refused", arguments: ["Mars/Olympus", "", "Europe/Stockholmm", "europe/stockholm "])
    func unknownZone(name: String) {
        #expect(ZoneClock(identifier: name) == nil)
    }

    @Test("civilTime(unixSeconds:) gives the wall time in the zone")
    func civilTimeOfInstant() throws {
        let clock = try stockholm()
        #expect(clock.civilTime(unixSeconds: ReferenceCalendar.seconds(2026, 1, 15, 11)) == wall(2026, 1, 15, 12))
        #expect(clock.civilTime(unixSeconds: ReferenceCalendar.seconds(2026, 7, 15, 10)) == wall(2026, 7, 15, 12))
        // Both occurrences of 02:30 on 2026-10-25.
        #expect(
            clock.civilTime(unixSeconds: ReferenceCalendar.seconds(2026, 10, 25, 0, 30)) == wall(2026, 10, 25, 2, 30))
        #expect(
            clock.civilTime(unixSeconds: ReferenceCalendar.seconds(2026, 10, 25, 1, 30)) == wall(2026, 10, 25, 2, 30))
        // Just before and at the spring change.
        #expect(
            clock.civilTime(unixSeconds: ReferenceCalendar.seconds(2026, 3, 29, 0, 59, 59))
                == wall(2026, 3, 29, 1, 59, 59))
        #expect(clock.civilTime(unixSeconds: ReferenceCalendar.seconds(2026, 3, 29, 1, 0)) == wall(2026, 3, 29, 3, 0))
    }

    @Test("utcSeconds inverts civilTime over a whole year, except the second occurrence of the repeated hour")
    func roundTripOverAYear() throws {
        let clock = try stockholm()
        let repeatedStart = ReferenceCalendar.seconds(2026, 10, 25, 1, 0)  // 02:00 CET, the second 02:00
        let repeatedEnd = ReferenceCalendar.seconds(2026, 10, 25, 2, 0)  // 03:00 CET
        var instant = ReferenceCalendar.seconds(2026, 1, 1, 0, 0)
        let end = ReferenceCalendar.seconds(2027, 1, 1, 0, 0)
        var checked = 0
        while instant < end {
            let civil = clock.civilTime(unixSeconds: instant)
            let expected = (repeatedStart..<repeatedEnd).contains(instant) ? instant - 3600 : instant
            if clock.utcSeconds(for: civil) != expected {
                Issue.record("\(instant) → \(civil.text) → \(String(describing: clock.utcSeconds(for: civil)))")
                return
            }
            checked += 1
            instant += 557  // not a divisor of 900, so every second of a quarter hour is visited over the year
        }
        #expect(checked > 50_000)
        // The instants near both changes, second by second.
        for base in [ReferenceCalendar.seconds(2026, 3, 29, 0, 55), ReferenceCalendar.seconds(2026, 10, 25, 0, 55)] {
            for instant in base..<(base + 7_800) {
                let civil = clock.civilTime(unixSeconds: instant)
                let expected = (repeatedStart..<repeatedEnd).contains(instant) ? instant - 3600 : instant
                #expect(clock.utcSeconds(for: civil) == expected)
            }
        }
    }
}
