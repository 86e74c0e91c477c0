import CDRModel

/// The feed formats cdrstore reads, by their command-line names.
public enum FeedFormat: String, CaseIterable, Sendable {
    /// Asterisk `cdr_csv` (`Master.csv`).
    case asteriskCSV = "asterisk-csv"
    /// FreeSWITCH `mod_cdr_csv` with the `example` template.
    case freeswitchCSV = "freeswitch-csv"

    /// Names every format, for error messages and help.
    public static var namesList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// How to read one feed: its format, its clock and its numbering plan.
public struct FeedSettings: Sendable {
    /// The feed's format.
    public let format: FeedFormat
    /// The IANA zone of times written without an offset.
    public let timeZone: String
    /// The country calling code for national numbers, if known.
    public let countryCode: String?

    /// Checks the settings and returns them, or an error that says what is wrong.
    public init(format: String, timeZone: String, countryCode: String?) throws(FeedSettingsError) {
        guard let parsed = FeedFormat(rawValue: format) else {
            throw FeedSettingsError("unknown format '\(format)'; the formats are: \(FeedFormat.namesList)")
        }
        guard ZoneClock(identifier: timeZone) != nil else {
            throw FeedSettingsError("unknown time zone '\(timeZone)'; use an IANA name such as Europe/Stockholm or UTC")
        }
        if let countryCode, !NumberNormaliser.isValidCountryCode(countryCode) {
            throw FeedSettingsError("country code '\(countryCode)' must be 1 to 3 digits without + (e.g. 46)")
        }
        self.format = parsed
        self.timeZone = timeZone
        self.countryCode = countryCode
    }

    /// A new parser for this feed.
    public func makeParser() -> AnyFeedParser {
        let clock = ZoneClock(identifier: timeZone)!
        let normaliser = NumberNormaliser(countryCode: countryCode)
        switch format {
        case .asteriskCSV:
            return .asteriskCSV(CSVFeedParser(decoder: AsteriskCSVDecoder(normaliser: normaliser, clock: clock)))
        case .freeswitchCSV:
            return .freeswitchCSV(CSVFeedParser(decoder: FreeSWITCHCSVDecoder(normaliser: normaliser, clock: clock)))
        }
    }
}

/// A feed setting that cannot be used, with a sentence saying why.
public struct FeedSettingsError: Error, CustomStringConvertible, Sendable {
    /// The sentence.
    public let description: String
    init(_ description: String) { self.description = description }
}
