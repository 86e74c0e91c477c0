import Foundation
import Synchronization

/// The file adapter over the commit core: a file's batches are committed in order while the
/// next one is parsed. At most `depth` batches are committing or waiting; `submit` blocks beyond
/// that, and throws once an earlier batch has failed.
final class FileCommitter: Sendable {
    private struct Tally {
        var totals = IngestLedger.Counts()
        var failure: (any Error)?
    }

    private let core: CommitCore<FileBatchStore>
    private let slots: DispatchSemaphore
    private let tally = Mutex(Tally())
    private let feed: String

    /// Starts the core for one file of `feed`, with the store `makeStore` makes on its thread.
    init(feed: String, batchRecords: Int, depth: Int = 2, makeStore: @escaping @Sendable () -> FileBatchStore) {
        self.feed = feed
        slots = DispatchSemaphore(value: depth)
        core = CommitCore(
            name: "cdrstore-commit", maxQueuedRecords: .max, maxGroupRecords: batchRecords, backOffSeconds: 0,
            makeStore: makeStore)
    }

    /// Queues a batch, once fewer than `depth` are in hand; throws the error of an earlier batch.
    func submit(_ batch: IngestBatch) throws {
        slots.wait()
        if let failure = tally.withLock({ $0.failure }) {
            slots.signal()
            throw failure
        }
        let queued = core.submit(batch, records: batch.count, feed: feed) { [self] result in
            tally.withLock { tally in
                switch result {
                case .success(let counts):
                    tally.totals.records += counts.records
                    tally.totals.ingested += counts.ingested
                    tally.totals.duplicates += counts.duplicates
                    tally.totals.rejected += counts.rejected
                case .failure(let error):
                    tally.failure = tally.failure ?? error
                }
            }
            slots.signal()
        }
        precondition(queued, "the file committer's queue has no record limit and is stopped only by finish()")
    }

    /// Waits until every queued batch is committed and returns the totals, or throws the first failure.
    func finish() throws -> IngestLedger.Counts {
        core.stop()
        let tally = tally.withLock { $0 }
        if let failure = tally.failure { throw failure }
        return tally.totals
    }
}
