import CDRModel
import Feeds
import Generator
import Testing

/// Synthetic Asterisk traffic: deterministic, parseable, and shaped like real traffic.
struct TrafficGeneratorTests {
    /// 2026-06-01 as days since 1970-01-01 (20,605; counted by hand: 56 years with 14 leap days, then 151 days).
    static let june1st2026 = 56 * 365 + 14 + (31 + 28 + 31 + 30 + 31)

    /// What one generation run produced.
    struct Run {
        var text: [UInt8]
        var calls: [TrafficGenerator.Call]
        var batches: [[TrafficGenerator.Call]]
    }

    /// Generates a plan and writes it as Asterisk CSV in `zone`.
    static func generate(
        calls: Int, days: Int = 7, accounts: Int = 50, seed: UInt64 = 42, endDay: Int = june1st2026,
        zone: String = "Europe/Stockholm"
    ) throws -> Run {
        let clock = try #require(ZoneClock(identifier: zone))
        let writer = AsteriskCSVWriter(clock: clock)
        var generator = TrafficGenerator(
            plan: .init(calls: calls, days: days, accounts: accounts, seed: seed, endDay: endDay), writtenIn: clock)
        var run = Run(text: [], calls: [], batches: [])
        generator.generate { batch in
            run.batches.append(batch)
            for call in batch {
                run.calls.append(call)
                run.text += Array(writer.line(for: call).utf8)
            }
        }
        return run
    }

    /// Parses generated text with the asterisk-csv parser (Stockholm, +46).
    static func parse(_ text: [UInt8], zone: String = "Europe/Stockholm") throws -> ([CallRecord], [Rejection], Int) {
        var parser = try FeedSettings(format: "asterisk-csv", timeZone: zone, countryCode: "46").makeParser()
        var records: [CallRecord] = []
        var rejections: [Rejection] = []
        let consumed = text.withUnsafeBytes { buffer in
            parser.parse(buffer, baseOffset: 0, atEnd: true) { event in
                switch event {
                case .record(let call, _, _): records.append(call)
                case .rejection(let rejection, _): rejections.append(rejection)
                }
            }
        }
        return (records, rejections, consumed)
    }

    @Test("The same seed gives byte-identical output")
    func sameSeed() throws {
        let first = try Self.generate(calls: 2_000, seed: 7)
        let second = try Self.generate(calls: 2_000, seed: 7)
        #expect(!first.text.isEmpty)
        #expect(first.text == second.text)
    }

    @Test("A different seed gives different output, of the same size in calls")
    func differentSeed() throws {
        let first = try Self.generate(calls: 2_000, seed: 7)
        let second = try Self.generate(calls: 2_000, seed: 8)
        #expect(first.text != second.text)
        #expect(first.calls.count == second.calls.count)
        let firstStarts = Set(first.calls.map(\.start))
        let shared = second.calls.filter { firstStarts.contains($0.start) }.count
        #expect(shared < 200, "two seeds share \(shared) of 2,000 start times")
    }

    @Test("Every generated line parses with zero rejections, and nothing is left over")
    func parsesCleanly() throws {
        let run = try Self.generate(calls: 5_000)
        let (records, rejections, consumed) = try Self.parse(run.text)
        #expect(rejections.isEmpty, "\(rejections.prefix(3).map(\.reason))")
        #expect(records.count == 5_000)
        #expect(consumed == run.text.count)
    }

    @Test("Parsed records match the generated calls")
    func recordsMatchCalls() throws {
        let run = try Self.generate(calls: 3_000, accounts: 300)
        let (records, _, _) = try Self.parse(run.text)
        try #require(records.count == run.calls.count)
        for (call, record) in zip(run.calls, records) {
            let answered = call.disposition == .answered
            guard record.startTime == call.start * 1_000_000,
                record.endTime == (call.start + Int64(call.duration)) * 1_000_000,
                record.answerTime == (answered ? (call.start + Int64(call.ringSeconds)) * 1_000_000 : nil),
                record.durationSeconds == call.duration, record.billableSeconds == call.billable,
                record.disposition == call.disposition, record.callType == call.callType,
                record.account == "acct" + String(repeating: "0", count: 4 - String(call.account).count)
                    + String(call.account),
                record.equipment == record.account.map({ "SIP/" + $0 }),
                record.recordKey == "\(call.start).\(call.serial)"
            else {
                Issue.record("call \(call.serial): \(call) became \(record)")
                return
            }
        }
        #expect(Set(records.compactMap(\.recordKey)).count == records.count)
    }

    @Test("Parties are E.164 numbers: Swedish callers, Swedish or foreign destinations")
    func numbersAreE164() throws {
        let run = try Self.generate(calls: 3_000, accounts: 300)
        let (records, _, _) = try Self.parse(run.text)
        func isE164(_ number: String) -> Bool {
            number.first == "+" && (9...16).contains(number.count) && number.dropFirst().allSatisfy(\.isNumber)
        }
        #expect(records.allSatisfy { isE164($0.source) && $0.source.hasPrefix("+46") })
        #expect(records.allSatisfy { isE164($0.destination) })
        #expect(records.contains { !$0.destination.hasPrefix("+46") })
        #expect(records.filter { $0.destination.hasPrefix("+46") }.count > records.count / 2)
    }

    @Test(
        "The call count is exact, spread evenly over the days",
        arguments: [(0, 3), (1, 1), (7, 7), (1_001, 7), (5_000, 3), (10, 30)])
    func exactCount(calls: Int, days: Int) throws {
        let run = try Self.generate(calls: calls, days: days)
        #expect(run.calls.count == calls)
        #expect(run.text.filter { $0 == UInt8(ascii: "\n") }.count == calls)
        #expect(run.batches.count == days)
        let sizes = run.batches.map(\.count)
        #expect(sizes.max()! - sizes.min()! <= 1)
        #expect(Set(run.calls.map(\.serial)).count == calls)
    }

    @Test("All start times fall within the requested days, and each day's calls are in that day, in order")
    func startTimesWithinDays() throws {
        let days = 5
        let run = try Self.generate(calls: 5_000, days: days)
        let first = Int64(Self.june1st2026 - days) * 86_400
        let end = Int64(Self.june1st2026) * 86_400
        #expect(run.calls.allSatisfy { (first..<end).contains($0.start) })
        for (index, batch) in run.batches.enumerated() {
            let dayStart = first + Int64(index) * 86_400
            #expect(batch.allSatisfy { (dayStart..<(dayStart + 86_400)).contains($0.start) })
            #expect(batch.map(\.start) == batch.map(\.start).sorted())
        }
        let (records, _, _) = try Self.parse(run.text)
        #expect(records.allSatisfy { (first * 1_000_000..<end * 1_000_000).contains($0.startTime) })
    }

    @Test("A mix of dispositions, answered the majority; some faxes")
    func dispositionMix() throws {
        let run = try Self.generate(calls: 5_000)
        let (records, _, _) = try Self.parse(run.text)
        var counts: [Disposition: Int] = [:]
        for record in records { counts[record.disposition, default: 0] += 1 }
        #expect(Set(counts.keys) == Set(Disposition.allCases))
        let answered = counts[.answered] ?? 0
        #expect(answered > records.count / 2)
        #expect(answered < records.count * 9 / 10)
        #expect(counts.filter { $0.key != .answered }.allSatisfy { $0.value < answered / 2 })
        #expect(records.contains { $0.callType == .fax })
        #expect(records.allSatisfy { ($0.answerTime != nil) == ($0.disposition == .answered) })
        #expect(records.allSatisfy { $0.disposition == .answered || $0.billableSeconds == 0 })
    }

    @Test("Durations are long-tailed: most calls short, some over 10 minutes")
    func longTailedDurations() throws {
        let run = try Self.generate(calls: 5_000)
        let (records, _, _) = try Self.parse(run.text)
        let durations = records.map(\.durationSeconds).sorted()
        try #require(durations.count == 5_000)
        let median = durations[durations.count / 2]
        #expect(median < 180, "median \(median) s")
        #expect(durations.filter { $0 > 600 }.count >= 10)
        let mean = Double(durations.reduce(0) { $0 + Int($1) }) / Double(durations.count)
        #expect(mean > Double(median), "a long tail pulls the mean above the median")
        #expect(records.allSatisfy { $0.billableSeconds <= $0.durationSeconds })
    }

    @Test("More calls in the working day than at night (UTC)")
    func diurnalPattern() throws {
        let run = try Self.generate(calls: 5_000)
        let hours = run.calls.map { Int(($0.start % 86_400) / 3_600) }
        let night = hours.filter { (0..<6).contains($0) }.count
        let working = hours.filter { (9..<17).contains($0) }.count
        #expect(working > 5 * night)
    }

    @Test("Accounts are drawn from 1...accounts")
    func accounts() throws {
        let run = try Self.generate(calls: 2_000, accounts: 5)
        #expect(Set(run.calls.map(\.account)) == Set(1...5))
    }

    @Test("On the day of the autumn clock change no call is written in the repeated hour, and all read back exactly")
    func autumnClockChange() throws {
        // 2026-10-25: at 01:00 UTC Stockholm's 03:00 CEST becomes 02:00 CET, so 02:00-03:00 happens twice:
        // 00:00-01:00 UTC (read back as such: the earlier offset wins) and again 01:00-02:00 UTC, which a
        // wall time cannot express.
        let day = Self.june1st2026 + (30 + 31 + 31 + 30) + 24
        let secondOccurrence = Int64(day) * 86_400 + 3_600
        let repeated = secondOccurrence..<(secondOccurrence + 3_600)
        let run = try Self.generate(calls: 20_000, days: 1, seed: 3, endDay: day + 1)
        #expect(run.calls.count == 20_000)
        let inRepeatedHour = run.calls.filter { call in
            [call.start, call.start + Int64(call.ringSeconds), call.start + Int64(call.duration)].contains {
                repeated.contains($0)
            }
        }
        #expect(inRepeatedHour.isEmpty)
        let (records, rejections, _) = try Self.parse(run.text)
        #expect(rejections.isEmpty, "refused: \(rejections.first?.reason ?? "")")
        let byKey = Dictionary(
            uniqueKeysWithValues: records.compactMap { record in record.recordKey.map { ($0, record) } })
        let moved = run.calls.filter { call in
            byKey["\(call.start).\(call.serial)"]?.startTime != call.start * 1_000_000
        }
        #expect(moved.isEmpty)
    }
}
