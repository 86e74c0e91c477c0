import Foundation

/// Runs a `BatchCommitter` on a thread of its own, so that the next batch is parsed while the
/// server copies the previous one. At most `depth` batches wait; `submit` blocks beyond that.
final class IngestPipeline: @unchecked Sendable {
    private let committer: BatchCommitter
    private let depth: Int
    private let condition = NSCondition()
    private var queue: [IngestBatch] = []
    private var closed = false
    private var finished = false
    private var failure: (any Error)?

    init(committer: BatchCommitter, depth: Int = 1) {
        self.committer = committer
        self.depth = depth
        let thread = Thread { [self] in run() }
        thread.name = "cdrstore-commit"
        thread.start()
    }

    /// Queues a batch; throws the committer's error if an earlier batch failed.
    func submit(_ batch: IngestBatch) throws {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= depth && failure == nil { condition.wait() }
        if let failure { throw failure }
        queue.append(batch)
        condition.broadcast()
    }

    /// Waits until every queued batch is committed and returns the totals, or throws the first failure.
    func finish() throws -> IngestLedger.Counts {
        condition.lock()
        closed = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
        if let failure { throw failure }
        return committer.totals
    }

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !closed { condition.wait() }
            if queue.isEmpty {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let batch = queue.removeFirst()
            condition.unlock()
            do {
                try committer.commit(batch)
                condition.lock()
            } catch {
                condition.lock()
                failure = error
                queue.removeAll()
                closed = true
            }
            condition.broadcast()
            condition.unlock()
        }
    }
}
