import Feeds
import Foundation

/// The feeds whose last attempt failed (a spool pass that could not finish, a push group that
/// could not commit), with why and since when: what `/health` reports. A feed is named with its
/// source: `pbx1 spool`, `gw pushes`.
final class FeedHealth: @unchecked Sendable {
    private let lock = NSLock()
    private var failing: [String: (since: Date, reason: String)] = [:]

    /// Records that `feed`'s last attempt failed; the first failure's time is kept.
    func failed(_ feed: String, _ reason: String) {
        lock.withLock {
            failing[feed] = (failing[feed]?.since ?? Date(), reason)
        }
    }

    /// Records that `feed`'s last attempt succeeded.
    func recovered(_ feed: String) { _ = lock.withLock { failing.removeValue(forKey: feed) } }

    /// The failing feeds and the JSON object that names them: `feed source` → "since <time>: <reason>".
    var failingFeedsJSON: (count: Int, json: String) {
        lock.withLock {
            var writer = JSONObjectWriter()
            for (feed, failure) in failing.sorted(by: { $0.key < $1.key }) {
                let since = CanonicalJSON.timestamp(Int64(failure.since.timeIntervalSince1970 * 1_000_000))
                writer.add(feed, "since \(since): \(failure.reason)")
            }
            return (failing.count, writer.finish())
        }
    }
}
