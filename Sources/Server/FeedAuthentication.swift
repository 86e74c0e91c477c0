import Hummingbird

/// Basic authentication of pushes, for every route under `/v1/feeds/{feed}`: the feed must take
/// pushes (else 404) and the request must carry its credentials (else 401 with the feed's realm)
/// before its route reads the body.
struct FeedAuthentication<Context: RequestContext>: RouterMiddleware {
    let handler: PushHandler

    /// Refuses the request, or passes it on.
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        _ = try handler.authenticate(request, context).get()
        return try await next(request, context)
    }
}
