import CDRModel
import Feeds
import Foundation
import Hummingbird
import Store

/// Answers feed pushes: checks the feed and its credentials, parses the body, hands the records
/// to the group committer and answers once they are committed (2xx means committed).
struct PushHandler: Sendable {
    let configuration: ServeConfiguration
    let committer: GroupCommitter
    let metrics: ServeMetrics
    let health: FeedHealth
    private let prepared: PreparedFeeds
    /// The largest body accepted.
    static let maxBodyBytes = 8 << 20

    init(configuration: ServeConfiguration, committer: GroupCommitter, metrics: ServeMetrics, health: FeedHealth) {
        self.configuration = configuration
        self.committer = committer
        self.metrics = metrics
        self.health = health
        prepared = PreparedFeeds(configuration.feeds)
    }

    /// The feed of a route under `FeedAuthentication`, which has checked it and its credentials.
    func authorisedFeed(_ context: some RequestContext) -> ServeConfiguration.Feed {
        configuration.feed(named: context.parameters.get("feed") ?? "")!
    }

    /// The feed named in the path, once the request's credentials are checked; else the error response.
    func authenticate(_ request: Request, _ context: some RequestContext) -> Result<
        ServeConfiguration.Feed, HTTPError
    > {
        let name = context.parameters.get("feed") ?? ""
        guard let feed = configuration.feed(named: name), let credentials = feed.push else {
            return .failure(HTTPError(.notFound, message: "no feed named '\(name)' takes pushes here"))
        }
        let header = request.headers[.authorization] ?? ""
        let exact = prepared.authorization[name].map { constantTimeEqual(header, $0) } ?? false
        guard exact || BasicCredentials(header)?.matches(credentials) == true else {
            var error = HTTPError(.unauthorized, message: "wrong or missing user name and password for feed '\(name)'")
            error.headers[.wwwAuthenticate] = "Basic realm=\"cdrstore feed \(name)\""
            return .failure(error)
        }
        return .success(feed)
    }

    /// The feed, when its configured format is the one the endpoint takes; else a 404 that names the right endpoint.
    func requireFormat(
        _ feed: ServeConfiguration.Feed, isFreeSWITCHEndpoint: Bool
    ) -> Result<ServeConfiguration.Feed, HTTPError> {
        let isFreeSWITCHFeed = feed.settings.format == .freeSWITCHJSON
        guard isFreeSWITCHFeed != isFreeSWITCHEndpoint else { return .success(feed) }
        let endpoint = isFreeSWITCHFeed ? "freeswitch-json" : "records"
        return .failure(
            HTTPError(
                .notFound,
                message:
                    "feed '\(feed.name)' is configured as \(feed.settings.format.rawValue); post to /v1/feeds/\(feed.name)/\(endpoint)"
            ))
    }

    /// The request body, or an error response when it is too large.
    func body(_ request: inout Request) async throws -> [UInt8] {
        do {
            let buffer = try await request.collectBody(upTo: Self.maxBodyBytes)
            return Array(buffer.readableBytesView)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw HTTPError(.contentTooLarge, message: "the body is larger than \(Self.maxBodyBytes >> 20) MiB")
        }
    }

    /// The most refused records one push may hold: a push with more is refused whole (400),
    /// nothing of it is stored, and parsing stops there, so that a flood of bad lines costs
    /// neither the database nor the other feeds anything.
    static let maxRefusedRecords = 1_000

    /// A push found to hold more than `maxRefusedRecords` refused records.
    private struct TooManyRefused: Error {}

    /// Parses `document` (the whole body in the feed's format) into a submission; throws a 400
    /// when more than `maxRefusedRecords` of its records are refused.
    func submission(feed: ServeConfiguration.Feed, source: String, document: [UInt8]) throws(HTTPError)
        -> PushSubmission
    {
        var submission = PushSubmission(feed: feed.name, format: feed.settings.format, source: source)
        do {
            try parse(document, feed: feed, into: &submission)
        } catch {
            let first = submission.rejections.first.map { " (the first, line \($0.line): \($0.reason))" } ?? ""
            throw HTTPError(
                .badRequest,
                message:
                    "more than \(Self.maxRefusedRecords) records of this push are refused\(first); the push is refused whole and nothing of it is stored"
            )
        }
        return submission
    }

    private func parse(_ document: [UInt8], feed: ServeConfiguration.Feed, into submission: inout PushSubmission) throws
    {
        var parser = prepared.parsers[feed.name] ?? feed.settings.makeParser()
        var bytes = document
        if let last = bytes.last, last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        try bytes.withUnsafeBytes { buffer in
            var consumed = 0
            while consumed < buffer.count {
                let used = try parser.parse(
                    UnsafeRawBufferPointer(rebasing: buffer[consumed...]), baseOffset: Int64(consumed), atEnd: true
                ) { event in
                    submission.add(event)
                    if submission.rejections.count > Self.maxRefusedRecords { throw TooManyRefused() }
                }
                if used == 0 {
                    // The body's own bytes, without the line end added above.
                    let rest = Array(buffer[consumed..<max(consumed, document.count)])
                    submission.add(
                        Rejection(
                            offset: Int64(consumed), line: parser.linesConsumed + 1, raw: rest,
                            reason: "the body ends inside an unfinished record"))
                    break
                }
                consumed += used
            }
        }
    }

    /// A FreeSWITCH mod_json_cdr post (raw JSON, `cdr=` form or base64) as a submission: the JSON
    /// document, read by the feed's parser as a file of it would be, so that its record is
    /// identified by the document's bytes (a retry in another encoding, or the same document in an
    /// `err-log-dir` file, is a duplicate).
    func freeSWITCHSubmission(
        feed: ServeConfiguration.Feed, source: String, body: [UInt8], contentType: String?
    ) throws(HTTPError) -> PushSubmission {
        let document: [UInt8]
        do {
            document = try FreeSWITCHPushBody.document(from: body, contentType: contentType)
        } catch {
            var refused = PushSubmission(feed: feed.name, format: feed.settings.format, source: source)
            refused.add(
                Rejection(offset: 0, line: 1, raw: Array(body.prefix(FeedLimits.maxRecordBytes)), reason: error.reason))
            return refused
        }
        var submission = try submission(feed: feed, source: source, document: document)
        if submission.count == 0 {
            submission.add(Rejection(offset: 0, line: 1, raw: [], reason: "the body holds no CDR"))
        }
        return submission
    }

    /// Queues the submission and waits for its commit; the response says what was stored.
    func commit(_ submission: PushSubmission) async -> Response {
        let result: Result<PushOutcome, any Error>? = await withCheckedContinuation { continuation in
            let queued = committer.submit(submission) { continuation.resume(returning: $0) }
            if !queued { continuation.resume(returning: nil) }
        }
        metrics.setQueueDepth(committer.queueDepth)
        switch result {
        case nil:
            return Self.retryLater("the commit queue is full; retry in a moment")
        case .failure(let error):
            health.failed("\(submission.feed) pushes", "the database could not commit them (\(error))")
            return Self.retryLater("the database could not commit the records (\(error)); retry")
        case .success(let outcome):
            health.recovered("\(submission.feed) pushes")
            let stored = outcome.ingested + outcome.duplicates
            let status: HTTPResponse.Status = stored == 0 && !outcome.rejections.isEmpty ? .badRequest : .ok
            return Self.json(status, Self.summary(outcome))
        }
    }

    private static func summary(_ outcome: PushOutcome) -> String {
        var writer = JSONObjectWriter()
        writer.add("ingested", outcome.ingested)
        writer.add("duplicates", outcome.duplicates)
        writer.add("rejected", outcome.rejections.count)
        let reasons = outcome.rejections.prefix(100).map { rejection in
            var item = JSONObjectWriter()
            item.add("line", Int(rejection.line))
            item.add("reason", rejection.reason)
            return item.finish()
        }
        writer.addRaw("rejects", "[" + reasons.joined(separator: ",") + "]")
        return writer.finish() + "\n"
    }

    static func retryLater(_ message: String) -> Response {
        var response = json(.serviceUnavailable, "{\"error\":\(JSONObjectWriter.quoted(message))}\n")
        response.headers[.retryAfter] = "1"
        return response
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
