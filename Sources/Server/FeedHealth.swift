import Feeds
import Foundation
import Synchronization

/// The feeds whose last attempt failed (a spool pass that could not finish, a push group that
/// could not commit), with why and since when: what `/health` reports. A feed is named with its
/// source: `pbx1 spool`, `gw pushes`.
final class FeedHealth: Sendable {
    private struct Failure {
        let since: Date
        let reason: String
    }

    private let failing = Mutex<[String: Failure]>([:])

    /// Records that `feed`'s last attempt failed; the first failure's time is kept.
    func failed(_ feed: String, _ reason: String) {
        failing.withLock { failing in
            failing[feed] = Failure(since: failing[feed]?.since ?? Date(), reason: reason)
        }
    }

    /// Records that `feed`'s last attempt succeeded.
    func recovered(_ feed: String) { _ = failing.withLock { $0.removeValue(forKey: feed) } }

    /// The failing feeds and the JSON object that names them: `feed source` → "since <time>: <reason>".
    var failingFeedsJSON: (count: Int, json: String) {
        failing.withLock { failing in
            var writer = JSONObjectWriter()
            for (feed, failure) in failing.sorted(by: { $0.key < $1.key }) {
                let since = CanonicalJSON.timestamp(Int64(failure.since.timeIntervalSince1970 * 1_000_000))
                writer.add(feed, "since \(since): \(failure.reason)")
            }
            return (failing.count, writer.finish())
        }
    }
}
