import ArgumentParser
import CDRModel
import Feeds
import Foundation
import Generator

/// `cdrstore generate`: synthetic traffic in a feed's format.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write synthetic, realistic traffic as a feed file (deterministic for a seed).")

    @Option(help: "The feed format (asterisk-csv).") var format = FeedFormat.asteriskCSV.rawValue
    @Option(help: "Number of calls.") var calls = 10_000
    @Option(help: "Days of traffic, ending yesterday (or the day before --end).") var days = 7
    @Option(help: "Number of accounts.") var accounts = 200
    @Option(help: "Seed: the same seed and options give the same file.") var seed: UInt64 = 1
    @Option(help: "The first day not covered, YYYY-MM-DD (default: today, UTC).") var end: String?
    @Option(name: .customLong("tz"), help: "IANA zone for the wall-clock times written.") var timeZone = "UTC"
    @Option(help: "Output file (default: stdout).") var out: String?

    func validate() throws {
        guard format == FeedFormat.asteriskCSV.rawValue else {
            throw ValidationError("generate writes only asterisk-csv so far, not '\(format)'")
        }
        guard calls >= 0, days >= 1, accounts >= 1 else {
            throw ValidationError("--calls must be 0 or more, --days and --accounts at least 1")
        }
        if let end, Self.day(end) == nil { throw ValidationError("--end must be a date YYYY-MM-DD, not '\(end)'") }
    }

    func run() throws {
        guard let clock = ZoneClock(identifier: timeZone) else {
            throw CLIError("unknown time zone '\(timeZone)'; use an IANA name such as Europe/Stockholm or UTC")
        }
        let endDay = end.flatMap(Self.day) ?? WallClock.today()
        var generator = TrafficGenerator(
            plan: .init(calls: calls, days: days, accounts: accounts, seed: seed, endDay: endDay), writtenIn: clock)
        let writer = AsteriskCSVWriter(clock: clock)
        let sink = try OutputSink(path: out)
        defer { sink.close() }
        try generator.generate { dayCalls in
            var text = ""
            text.reserveCapacity(dayCalls.count * 300)
            for call in dayCalls { text += writer.line(for: call) }
            try sink.write(text)
        }
        if let out { Output.errorLine("cdrstore: wrote \(Quantity.grouped(calls)) calls over \(days) days to \(out)") }
    }

    /// Days since 1970-01-01 of a `YYYY-MM-DD` date.
    static func day(_ text: String) -> Int? {
        CivilTime.parseDate(text).map { Int($0.secondsAsIfUTC / 86_400) }
    }
}

/// A file or stdout to write generated text to.
struct OutputSink {
    private let handle: FileHandle

    /// Creates (truncates) the file at `path`, or uses stdout when nil.
    init(path: String?) throws {
        guard let path else {
            handle = FileHandle.standardOutput
            return
        }
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CLIError("cannot create \(path); check that its folder exists and is writable")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    /// Appends text.
    func write(_ text: String) throws { try handle.write(contentsOf: Data(text.utf8)) }

    /// Closes the file.
    func close() { try? handle.close() }
}
