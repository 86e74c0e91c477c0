import Feeds
import Hummingbird
import Store

/// The HTTP routes of `cdrstore serve`.
struct ServeRoutes: Sendable {
    let handler: PushHandler
    let health: HealthCheck
    let feedHealth: FeedHealth
    let metrics: ServeMetrics
    let committer: GroupCommitter

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/livez") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("/health") { _, _ -> Response in
            let problem = await health.databaseProblem()
            let failing = feedHealth.failingFeedsJSON
            var writer = JSONObjectWriter()
            writer.add("database", problem.map { "unreachable: \($0)" } ?? "ok")
            writer.add("queue_records", committer.queueDepth)
            if failing.count > 0 { writer.addRaw("failing_feeds", failing.json) }
            let healthy = problem == nil && failing.count == 0
            return PushHandler.json(healthy ? .ok : .serviceUnavailable, writer.finish() + "\n")
        }
        router.get("/metrics") { _, _ -> Response in
            metrics.setQueueDepth(committer.queueDepth)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.text())))
        }
        let feeds = router.group("/v1/feeds/:feed").add(middleware: FeedAuthentication(handler: handler))
        feeds.post("records") { request, context -> Response in
            var request = request
            let feed = try handler.requireFormat(handler.authorisedFeed(context), isFreeSWITCHEndpoint: false).get()
            let body = try await handler.body(&request)
            let submission = try handler.submission(
                feed: feed, source: "POST /v1/feeds/\(feed.name)/records", document: body)
            return await handler.commit(submission)
        }
        feeds.post("freeswitch-json") { request, context -> Response in
            var request = request
            let feed = try handler.requireFormat(handler.authorisedFeed(context), isFreeSWITCHEndpoint: true).get()
            let body = try await handler.body(&request)
            let uuid = request.uri.queryParameters["uuid"].map { "?uuid=\($0)" } ?? ""
            return await handler.commit(
                try handler.freeSWITCHSubmission(
                    feed: feed, source: "POST /v1/feeds/\(feed.name)/freeswitch-json\(uuid)", body: body,
                    contentType: request.headers[.contentType]))
        }
        return router
    }
}
