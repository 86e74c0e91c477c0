import Billing
import Feeds
import Foundation
import FuzzDriver

/// One libFuzzer target per parser family, chosen by `CDRSTORE_FUZZ_TARGET` (see `Fuzz/run.sh`).
/// Each takes arbitrary bytes; a crash, a sanitizer report or a broken invariant is a finding.
enum FuzzTarget: String, CaseIterable {
    case csvFeeds = "csv-feeds"
    case jsonFeeds = "json-feeds"
    case kamailio
    case cdrJSONL = "cdr-jsonl"
    case tariffs

    /// The target named by the environment; stops the process with a sentence when it names none.
    static let current: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["CDRSTORE_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            let names = allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("set CDRSTORE_FUZZ_TARGET to one of: \(names)\n".utf8))
            exit(2)
        }
        return target
    }()

    /// Runs the target on one input.
    func run(_ bytes: [UInt8]) {
        switch self {
        case .csvFeeds:
            for format in ["asterisk-csv", "freeswitch-csv", "cisco-cucm", "csv"] { Self.parse(bytes, format: format) }
        case .jsonFeeds:
            Self.parse(bytes, format: "freeswitch-json")
            for contentType in ["application/json", "application/x-www-form-urlencoded", nil] {
                _ = try? FreeSWITCHPushBody.document(from: bytes, contentType: contentType)
            }
        case .kamailio:
            Self.parse(bytes, format: "kamailio-acc")
            Self.parse(bytes, format: "kamailio-acc", now: 0)
        case .cdrJSONL:
            Self.parse(bytes, format: "cdr-jsonl")
        case .tariffs:
            _ = try? TariffFile.parse(bytes)
        }
    }

    /// Each format's feed settings, made once rather than for every input.
    private static let settingsByFormat = Dictionary(
        uniqueKeysWithValues: FeedFormat.allCases.map { format in
            (
                format.rawValue,
                try! FeedSettings(format: format.rawValue, timeZone: "Europe/Stockholm", countryCode: "46")
            )
        })

    /// Parses `bytes` whole, and again in two pieces split where the first byte says, as a file
    /// read in chunks would be, checking that positions stay inside the input.
    private static func parse(_ bytes: [UInt8], format: String, now: Int64 = .max) {
        let settings = settingsByFormat[format]!
        var whole = settings.makeParser(now: now)
        let count = Int64(bytes.count)
        let used = bytes.withUnsafeBytes { buffer in
            whole.parse(buffer, baseOffset: 0, atEnd: true) { event in check(event, within: count) }
        }
        precondition(used <= bytes.count, "a parser used more bytes than it was given")
        guard let first = bytes.first, bytes.count > 1 else { return }
        let cut = Int(first) % bytes.count
        var pieces = settings.makeParser(now: now)
        let head = bytes.withUnsafeBytes { buffer in
            pieces.parse(UnsafeRawBufferPointer(rebasing: buffer[..<cut]), baseOffset: 0, atEnd: false) { event in
                check(event, within: count)
            }
        }
        precondition(head <= cut, "a parser used more bytes than it was given")
        _ = bytes.withUnsafeBytes { buffer in
            pieces.parse(UnsafeRawBufferPointer(rebasing: buffer[head...]), baseOffset: Int64(head), atEnd: true) {
                event in check(event, within: count)
            }
        }
    }

    private static func check(_ event: FeedEvent, within count: Int64) {
        switch event {
        case .record(let call, _, let position):
            precondition(position.offset >= 0 && position.offset <= count, "a record outside the input")
            precondition(call.endTime >= call.startTime, "a record that ends before it starts")
            precondition(call.billableSeconds <= call.durationSeconds, "billable seconds above the duration")
        case .rejection(let rejection, let position):
            precondition(rejection.offset >= 0 && position.offset <= count, "a refusal outside the input")
            precondition(!rejection.reason.isEmpty, "a refusal without a reason")
        }
    }
}

/// Runs the target the environment names on each input libFuzzer gives.
@main enum CDRFuzz {
    static func main() {
        let target = FuzzTarget.current
        runFuzzer { target.run($0) }
    }
}
