import CDRModel

/// The feed formats cdrstore reads, by their command-line names.
public enum FeedFormat: String, CaseIterable, Sendable {
    /// Asterisk `cdr_csv` (`Master.csv`).
    case asteriskCSV = "asterisk-csv"
    /// FreeSWITCH `mod_cdr_csv` with the `example` template.
    case freeSWITCHCSV = "freeswitch-csv"
    /// FreeSWITCH mod_json_cdr documents (`<uuid>.cdr.json`, or several in one file).
    case freeSWITCHJSON = "freeswitch-json"
    /// Kamailio acc module syslog lines (transactions paired INVITE/BYE, and dialog CDRs).
    case kamailioAcc = "kamailio-acc"
    /// Cisco Unified CM CDR flat files.
    case ciscoCUCM = "cisco-cucm"
    /// Any other CSV, its columns named by `--columns` or by its header line.
    case csv
    /// cdrstore's canonical record, one JSON object per line (what `cdrstore parse` prints).
    case cdrJSONL = "cdr-jsonl"

    /// True when a call's identity in its feed is its record key (Kamailio's `call_id`, whose lines
    /// are merged into one call) rather than its raw bytes: a feed stores one call per key.
    public var identifiesCallsByKey: Bool { self == .kamailioAcc }

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
    /// The names of a `csv` feed's columns in order, when its files have no header line naming them.
    public let columns: [String]?
    /// `columns`, checked and mapped.
    private let columnMap: CSVColumnMap?
    /// The feed's account codes mapped to billing accounts, if the feed needs it.
    public let accountMapping: AccountMapping?
    /// A `kamailio-acc` feed's attribute names for parties, source IP, account and call id.
    public let accKeys: KamailioAccKeys

    /// Checks the settings and returns them, or an error that says what is wrong.
    public init(
        format: String, timeZone: String, countryCode: String?, columns: [String]? = nil,
        accountMapping: AccountMapping? = nil, accKeys: String? = nil
    ) throws(FeedSettingsError) {
        guard let parsed = FeedFormat(rawValue: format) else {
            throw FeedSettingsError("unknown format '\(format)'; the formats are: \(FeedFormat.namesList)")
        }
        guard ZoneClock(identifier: timeZone) != nil else {
            throw FeedSettingsError("unknown time zone '\(timeZone)'; use an IANA name such as Europe/Stockholm or UTC")
        }
        if let countryCode, !NumberNormaliser.isValidCountryCode(countryCode) {
            throw FeedSettingsError("country code '\(countryCode)' must be 1 to 3 digits without + (e.g. 46)")
        }
        if let columns {
            guard parsed == .csv else {
                throw FeedSettingsError("--columns is only for --format csv (\(format) has its own columns)")
            }
            do {
                columnMap = try CSVColumnMap(names: columns)
            } catch {
                throw FeedSettingsError("--columns: \(error.reason)")
            }
        } else {
            columnMap = nil
        }
        if let accKeys {
            guard parsed == .kamailioAcc else {
                throw FeedSettingsError("--acc-keys is only for --format kamailio-acc")
            }
            self.accKeys = try KamailioAccKeys(parsing: accKeys)
        } else {
            self.accKeys = .defaults
        }
        self.format = parsed
        self.timeZone = timeZone
        self.countryCode = countryCode
        self.columns = columns
        self.accountMapping = accountMapping
    }

    /// A new parser for this feed, mapping accounts as the feed says; `now` (µs since the epoch)
    /// is when its input's end is read, which settles the Kamailio calls whose other half is
    /// overdue (by default every such call).
    public func makeParser(now: Int64 = .max) -> AnyFeedParser {
        AnyFeedParser(formatParser(now: now), accountMapping: accountMapping)
    }

    private func formatParser(now: Int64) -> FormatParser {
        let clock = ZoneClock(identifier: timeZone)!
        let normaliser = NumberNormaliser(countryCode: countryCode)
        switch format {
        case .asteriskCSV:
            return .asteriskCSV(CSVFeedParser(decoder: AsteriskCSVDecoder(normaliser: normaliser, clock: clock)))
        case .cdrJSONL:
            return .cdrJSONL(LineFeedParser(decoder: CDRJSONLineDecoder(normaliser: normaliser)))
        case .freeSWITCHJSON:
            return .freeSWITCHJSON(
                FreeSWITCHJSONFileParser(decoder: FreeSWITCHJSONDecoder(normaliser: normaliser, clock: clock)))
        case .kamailioAcc:
            return .kamailioAcc(
                LineFeedParser(decoder: KamailioAccDecoder(normaliser: normaliser, keys: accKeys, endOfInputTime: now)))
        case .freeSWITCHCSV:
            return .freeSWITCHCSV(CSVFeedParser(decoder: FreeSWITCHCSVDecoder(normaliser: normaliser, clock: clock)))
        case .csv:
            return .csv(
                CSVFeedParser(decoder: GenericCSVDecoder(columns: columnMap, normaliser: normaliser, clock: clock)))
        case .ciscoCUCM:
            return .ciscoCUCM(CSVFeedParser(decoder: CiscoCUCMDecoder(normaliser: normaliser)))
        }
    }
}

/// A feed setting that cannot be used, with a sentence saying why.
public struct FeedSettingsError: Error, CustomStringConvertible, Sendable {
    /// The sentence.
    public let description: String
    init(_ description: String) { self.description = description }
}
