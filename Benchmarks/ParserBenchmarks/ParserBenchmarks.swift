import Benchmark
import CDRModel
import Feeds
import Generator

/// 20,000 generated Asterisk lines (about 5 MB), made once.
let sampleFeed: [UInt8] = {
    let clock = ZoneClock(identifier: "Europe/Stockholm")!
    var generator = TrafficGenerator(
        plan: .init(calls: 20_000, days: 2, accounts: 200, seed: 7, endDay: 20_400), writtenIn: clock)
    let writer = AsteriskCSVWriter(clock: clock)
    var text = ""
    generator.generate { calls in
        for call in calls { text += writer.line(for: call) }
    }
    return Array(text.utf8)
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        maxDuration: .seconds(5))

    Benchmark("asterisk-csv parse (5 MB, 20k records)", configuration: .init(scalingFactor: .one)) { benchmark in
        let settings = try FeedSettings(format: "asterisk-csv", timeZone: "Europe/Stockholm", countryCode: "46")
        for _ in benchmark.scaledIterations {
            var parser = settings.makeParser()
            var records = 0
            sampleFeed.withUnsafeBytes { raw in
                _ = parser.parse(raw, baseOffset: 0, atEnd: true) { event in
                    if case .record = event { records += 1 }
                }
            }
            precondition(records == 20_000)
            blackHole(records)
        }
    }
}
