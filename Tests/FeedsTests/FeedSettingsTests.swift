import CDRModel
import Feeds
import Testing

/// Checking a feed's settings: format, time zone and country code, with messages that name the bad value.
struct FeedSettingsTests {
    private func settingsError(format: String = "asterisk-csv", timeZone: String = "UTC", countryCode: String? = nil)
        -> FeedSettingsError?
    {
        do {
            _ = try FeedSettings(format: format, timeZone: timeZone, countryCode: countryCode)
            return nil
        } catch {
            return error
        }
    }

    @Test("Valid settings are kept")
    func valid() throws {
        let settings = try FeedSettings(format: "asterisk-csv", timeZone: "Europe/Stockholm", countryCode: "46")
        #expect(settings.format == .asteriskCSV)
        #expect(settings.timeZone == "Europe/Stockholm")
        #expect(settings.countryCode == "46")
        let noCountry = try FeedSettings(format: "asterisk-csv", timeZone: "UTC", countryCode: nil)
        #expect(noCountry.countryCode == nil)
    }

    @Test("An unknown format is named, with the formats that exist", arguments: ["tsv", "Asterisk-CSV", "", "cdr_csv"])
    func unknownFormat(format: String) throws {
        let error = try #require(settingsError(format: format))
        #expect(error.description.contains("'\(format)'"))
        #expect(error.description.contains("asterisk-csv"))
    }

    @Test("An unknown time zone is named", arguments: ["Mars/Olympus", "", "Stockholm", "+01:00"])
    func unknownTimeZone(zone: String) throws {
        let error = try #require(settingsError(timeZone: zone))
        #expect(error.description.contains("'\(zone)'"))
        #expect(error.description.contains("time zone"))
    }

    @Test("A bad country code is named", arguments: ["+46", "0046", "4a", "", "1234", "0"])
    func badCountryCode(code: String) throws {
        let error = try #require(settingsError(countryCode: code))
        #expect(error.description.contains("'\(code)'"))
        #expect(error.description.contains("country code"))
    }

    @Test("The format is checked first, then the zone, then the country code")
    func order() throws {
        let all = try #require(settingsError(format: "tsv", timeZone: "Mars/Olympus", countryCode: "x"))
        #expect(all.description.contains("'tsv'"))
        let zoneAndCode = try #require(settingsError(timeZone: "Mars/Olympus", countryCode: "x"))
        #expect(zoneAndCode.description.contains("'Mars/Olympus'"))
    }

    @Test("Every format name is listed and round-trips")
    func formatNames() {
        #expect(
            FeedFormat.namesList
                == "asterisk-csv, freeswitch-csv, freeswitch-json, kamailio-acc, cisco-cucm, csv, cdr-jsonl")
        for format in FeedFormat.allCases { #expect(FeedFormat(rawValue: format.rawValue) == format) }
    }

    @Test("makeParser gives independent parsers that use the zone and country code")
    func makeParser() throws {
        let utc = try FeedSettings(format: "asterisk-csv", timeZone: "UTC", countryCode: "47")
        var first = utc.makeParser()
        var second = utc.makeParser()
        let outcome = parseOnce(&first, AsteriskRow().bytes + AsteriskRow().bytes)
        #expect(first.linesConsumed == 2)
        #expect(second.linesConsumed == 0)
        let call = try #require(outcome.events.first?.call)
        #expect(call.startTime == microseconds(2026, 10, 11, 14, 3, 27))
        #expect(call.source == "+47701234567")
        #expect(parseOnce(&second, AsteriskRow().bytes).events.first?.position.line == 1)
    }
}
