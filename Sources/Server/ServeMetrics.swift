import Prometheus
import Store

/// The service's Prometheus metrics: records per feed and outcome, group-commit sizes and
/// latencies, and the queue depth, served as text by `GET /metrics`.
final class ServeMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let batchRecords: ValueHistogram
    private let commitSeconds: DurationHistogram
    private let queueDepth: Gauge
    private let failedCommits: Counter

    init() {
        batchRecords = registry.makeValueHistogram(
            descriptor: Self.name("commit_batch", "records", "Records (stored, duplicate or refused) per group commit"),
            buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 20000])
        commitSeconds = registry.makeDurationHistogram(
            descriptor: Self.name(
                "commit", "seconds", "Seconds from the start of a group commit's transaction to its commit"),
            buckets: [
                .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
            ])
        queueDepth = registry.makeGauge(
            descriptor: Self.name("queue", "records", "Pushed records waiting for a commit"))
        failedCommits = registry.makeCounter(
            descriptor: Self.name(
                "commit_failures", "total", "Group commits that failed (their requests were answered 503)"))
    }

    /// Counts one group commit.
    func record(_ report: GroupCommitter.CommitReport) {
        guard report.failure == nil else {
            failedCommits.increment()
            return
        }
        batchRecords.record(Double(report.records))
        commitSeconds.record(Duration.nanoseconds(Int64(report.seconds * 1e9)))
        for (feed, outcome) in report.perFeed {
            count(
                feed: feed, ingested: outcome.ingested, duplicates: outcome.duplicates,
                rejected: outcome.rejections.count)
        }
    }

    /// Adds to a feed's record counters (spool ingests report here too).
    func count(feed: String, ingested: Int, duplicates: Int, rejected: Int) {
        for (outcome, amount) in [("ingested", ingested), ("duplicate", duplicates), ("rejected", rejected)]
        where amount > 0 {
            registry.makeCounter(
                descriptor: Self.name("records", "total", "Records taken in, by feed and outcome"),
                labels: [("feed", feed), ("outcome", outcome)]
            ).increment(by: Int64(amount))
        }
    }

    /// Sets the queue depth gauge.
    func setQueueDepth(_ records: Int) { queueDepth.set(Double(records)) }

    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "cdrstore", metricName: metric, unitName: unit, helpText: help)
    }

    /// The metrics in Prometheus' text format.
    func text() -> [UInt8] { registry.emitToBuffer() }
}
