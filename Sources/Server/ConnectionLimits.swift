import Hummingbird
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a header block over the decoder's limits with 431 and a sentence, then closes the
/// connection (the HTTP server would answer an empty 400).
final class HeaderOverflowAnswer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    /// The sentence of the 431 answer.
    let message: String

    /// Prepares the handler; `message` says which limit a client went over.
    init(message: String) { self.message = message }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, parserError == .headerOverflow else {
            context.fireErrorCaught(error)
            return
        }
        context.answerAndClose(.requestHeaderFieldsTooLarge, message)
    }
}

/// Closes a connection whose next request has not arrived whole (head and body) within a time
/// of the connection opening or of the previous answer: a client that trickles its header or
/// body is answered 408 with a sentence (or, once its answer has begun, just disconnected).
///
/// One timer per connection: a request only notes when its time began, and the timer, when it
/// fires, either expires the connection or waits for the time of the request then arriving.
final class RequestDeadline: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// How long a request may take to arrive.
    let seconds: Int64
    /// When the time of the request now arriving began; nil while none is awaited.
    private var awaitedSince: NIODeadline?
    private var timer: Scheduled<Void>?
    private var answering = false

    /// Prepares the handler with the time, in seconds, a request may take to arrive.
    init(seconds: Int64) { self.seconds = seconds }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startWaiting(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        startWaiting(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) { awaitedSince = nil }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head: answering = true
        case .end:
            answering = false
            startWaiting(context)
        case .body: break
        }
        context.write(data, promise: promise)
    }

    /// Starts the time of the next request.
    private func startWaiting(_ context: ChannelHandlerContext) {
        awaitedSince = .now()
        if timer == nil { schedule(context, at: .now() + .seconds(seconds)) }
    }

    private func schedule(_ context: ChannelHandlerContext, at instant: NIODeadline) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: instant) {
            let (handler, context) = bound.value
            handler.timerFired(context)
        }
    }

    private func timerFired(_ context: ChannelHandlerContext) {
        timer = nil
        guard let since = awaitedSince else { return }
        let due = since + .seconds(seconds)
        guard due <= .now() else { return schedule(context, at: due) }
        if answering {
            context.close(promise: nil)
        } else {
            context.answerAndClose(.requestTimeout, "the request did not arrive whole within \(seconds) s")
        }
    }
}

extension ChannelHandlerContext {
    /// Writes a plain-text answer of `status` saying `message`, then closes the connection.
    fileprivate func answerAndClose(_ status: HTTPResponse.Status, _ message: String) {
        let body = ByteBuffer(string: message + "\n")
        let head = HTTPResponse(
            status: status,
            headerFields: [
                .contentType: "text/plain; charset=utf-8", .contentLength: String(body.readableBytes),
                .connection: "close",
            ])
        write(NIOAny(HTTPResponsePart.head(head)), promise: nil)
        write(NIOAny(HTTPResponsePart.body(body)), promise: nil)
        writeAndFlush(NIOAny(HTTPResponsePart.end(nil))).assumeIsolated().whenComplete { _ in self.close(promise: nil) }
    }
}
