import CDRModel
import Feeds
import Foundation

/// What each feed's pushes need, made once: a new parser per request is a copy of a prepared one
/// (making one reads its zone's rules), and the exact `Authorization` header its credentials give.
/// Immutable after `init`; the zone clocks its parsers share lock their own caches.
final class PreparedFeeds: Sendable {
    let parsers: [String: AnyFeedParser]
    let freeSWITCHDecoders: [String: FreeSWITCHJSONDecoder]
    let authorization: [String: String]

    init(_ feeds: [ServeConfiguration.Feed]) {
        let pushed = feeds.filter { $0.push != nil }
        parsers = Dictionary(uniqueKeysWithValues: pushed.map { ($0.name, $0.settings.makeParser()) })
        freeSWITCHDecoders = Dictionary(
            uniqueKeysWithValues: pushed.filter { $0.settings.format == .freeSWITCHJSON }.map {
                ($0.name, Self.freeSWITCHDecoder($0))
            })
        authorization = Dictionary(
            uniqueKeysWithValues: pushed.compactMap { feed in
                feed.push.map {
                    (feed.name, "Basic " + Data("\($0.username):\($0.password)".utf8).base64EncodedString())
                }
            })
    }

    static func freeSWITCHDecoder(_ feed: ServeConfiguration.Feed) -> FreeSWITCHJSONDecoder {
        FreeSWITCHJSONDecoder(
            normaliser: NumberNormaliser(countryCode: feed.settings.countryCode),
            clock: ZoneClock(identifier: feed.settings.timeZone)!)
    }
}
