import CDRModel

#if canImport(Glibc)
    import Glibc
#endif

/// Synthetic telephony traffic: a diurnal pattern, a realistic answered/busy/no-answer mix,
/// long-tailed durations, a few hundred accounts and E.164 numbers; the same seed always gives
/// the same calls.
public struct TrafficGenerator {
    /// What to generate.
    public struct Plan: Sendable {
        /// Total number of calls.
        public var calls: Int
        /// Days covered, ending just before `endDay`.
        public var days: Int
        /// Number of distinct accounts.
        public var accounts: Int
        /// The seed.
        public var seed: UInt64
        /// The first day not covered, as days since 1970-01-01 (UTC).
        public var endDay: Int

        /// Creates a plan.
        public init(calls: Int, days: Int, accounts: Int, seed: UInt64, endDay: Int) {
            self.calls = calls
            self.days = days
            self.accounts = accounts
            self.seed = seed
            self.endDay = endDay
        }
    }

    /// One generated call, before it is written in a feed's format.
    public struct Call: Sendable {
        /// Start, UTC seconds since the epoch.
        public var start: Int64
        /// Seconds from start to answer (ringing), when answered.
        public var ringSeconds: Int32
        /// Seconds from start to end.
        public var duration: Int32
        /// Seconds from answer to end.
        public var billable: Int32
        /// How it ended.
        public var disposition: Disposition
        /// Voice or fax.
        public var callType: CallType
        /// Account number, 1...accounts.
        public var account: Int
        /// The caller's national significant number (without country code).
        public var callerNumber: Int64
        /// The called number: national significant number, or full international digits.
        public var calledNumber: Int64
        /// True when `calledNumber` is foreign (written with the international prefix).
        public var calledAbroad: Bool
        /// A per-call serial, unique within the run.
        public var serial: Int
    }

    private let plan: Plan
    private let clock: ZoneClock?
    private var random: SeededRandom

    /// Relative call volume per hour of the day (UTC): quiet nights, busy mornings and afternoons.
    static let hourlyWeights: [Double] = [
        0.5, 0.3, 0.2, 0.2, 0.3, 0.6, 1.5, 3.5, 6.5, 8.5, 9.0, 8.5,
        7.0, 7.5, 8.5, 8.5, 8.0, 7.0, 5.5, 4.5, 3.5, 2.5, 1.5, 0.9,
    ]

    /// Creates a generator for a plan. With the clock of the zone the calls will be written in,
    /// no call starts, is answered or ends in the autumn hour that happens twice, since a feed
    /// that writes wall times without an offset cannot say which of the two it meant.
    public init(plan: Plan, writtenIn clock: ZoneClock? = nil) {
        self.plan = plan
        self.clock = clock
        random = SeededRandom(seed: plan.seed)
    }

    /// Calls the body once per day, oldest first, with that day's calls sorted by start.
    public mutating func generate(_ body: ([Call]) throws -> Void) rethrows {
        let firstDay = plan.endDay - plan.days
        let cumulative = Self.hourlyWeights.reduce(into: [Double]()) { $0.append(($0.last ?? 0) + $1) }
        var serial = 0
        for dayIndex in 0..<plan.days {
            let callsToday = plan.calls / plan.days + (dayIndex < plan.calls % plan.days ? 1 : 0)
            let dayStart = Int64(firstDay + dayIndex) * 86_400
            var calls: [Call] = []
            calls.reserveCapacity(callsToday)
            for _ in 0..<callsToday {
                serial += 1
                calls.append(makeCall(dayStart: dayStart, cumulativeWeights: cumulative, serial: serial))
            }
            calls.sort { ($0.start, $0.serial) < ($1.start, $1.serial) }
            try body(calls)
        }
    }

    /// `start` moved on by whole hours until none of `start + instants` falls in a repeated wall-clock hour.
    private func movedOutOfRepeatedHour(start: Int64, instants: [Int64]) -> Int64 {
        guard let clock else { return start }
        var start = start
        while instants.contains(where: { offset in
            let instant = start + offset
            return clock.utcSeconds(for: clock.civilTime(unixSeconds: instant)) != instant
        }) {
            start += 3600
        }
        return start
    }

    private mutating func makeCall(dayStart: Int64, cumulativeWeights: [Double], serial: Int) -> Call {
        let pick = random.unit() * cumulativeWeights.last!
        let hour = cumulativeWeights.firstIndex { pick < $0 } ?? 23
        let plannedStart = dayStart + Int64(hour * 3600) + Int64(random.next() % 3600)
        let roll = random.unit()
        let disposition: Disposition =
            roll < 0.70
            ? .answered
            : roll < 0.82
                ? .noAnswer
                : roll < 0.90
                    ? .busy
                    : roll < 0.95 ? .failed : roll < 0.98 ? .congestion : .cancelled
        let ring = Int32(2 + random.next() % 20)
        var billable: Int32 = 0
        var duration = ring
        if disposition == .answered {
            let talk = exp(4.0 + 1.1 * random.normal())
            billable = Int32(min(max(talk.rounded(), 1), 4 * 3600))
            duration = ring + billable
        } else if disposition == .noAnswer {
            duration = Int32(20 + random.next() % 40)
        }
        let start = movedOutOfRepeatedHour(start: plannedStart, instants: [0, Int64(ring), Int64(duration)])
        let account = Int(random.next() % UInt64(max(plan.accounts, 1))) + 1
        let abroad = random.unit() < 0.08
        return Call(
            start: start, ringSeconds: ring, duration: duration, billable: billable, disposition: disposition,
            callType: random.unit() < 0.005 ? .fax : .voice, account: account,
            callerNumber: 8_000_000 + Int64(account) * 1000 + Int64(random.next() % 1000),
            calledNumber: abroad
                ? 4_420_7946_0000 + Int64(random.next() % 10_000)
                : (random.unit() < 0.6 ? 701_000_000 : 8_000_000) + Int64(random.next() % 999_999),
            calledAbroad: abroad, serial: serial)
    }
}
