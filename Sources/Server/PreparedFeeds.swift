import Feeds
import Foundation

/// What each feed's pushes need, made once: a new parser per request is a copy of a prepared one
/// (making one reads its zone's rules; the zone clocks the copies share lock their own caches),
/// and the exact `Authorization` header its credentials give.
struct PreparedFeeds: Sendable {
    let parsers: [String: AnyFeedParser]
    let authorization: [String: String]

    init(_ feeds: [ServeConfiguration.Feed]) {
        let pushed = feeds.filter { $0.push != nil }
        parsers = Dictionary(uniqueKeysWithValues: pushed.map { ($0.name, $0.settings.makeParser()) })
        authorization = Dictionary(
            uniqueKeysWithValues: pushed.compactMap { feed in
                feed.push.map {
                    (feed.name, "Basic " + Data("\($0.username):\($0.password)".utf8).base64EncodedString())
                }
            })
    }
}
