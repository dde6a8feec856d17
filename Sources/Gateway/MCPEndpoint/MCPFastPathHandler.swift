import HTTPTypes
import MCPProtocol
import NIOCore
import NIOHTTPTypes
import Upstream

/// Answers `POST /mcp` on the event loop that read it; every other request
/// goes on to Hummingbird.
///
/// Hummingbird hands each request to a task on Swift's global pool and
/// takes the answer back through an async channel: two thread switches
/// each way, which on two cores cost more than the gateway's own work on a
/// small call. Here the request's task prefers this connection's loop
/// (``EventLoopTaskExecutor``), so reading, answering, calling the upstream
/// (``LoopBoundUpstreamClient`` keeps its connections on the same loop)
/// and writing happen on one thread.
///
/// HTTP/1.1 lets a client send its next request before the answer to the
/// last; answers must leave in order. While an answer is pending (this
/// handler's or Hummingbird's), the parts of the next request wait here and
/// reading stops, so a pipelining client cannot make the queue grow.
final class MCPFastPathHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum State {
        /// Between requests.
        case idle
        /// Reading a `POST /mcp`: its head, its body so far (`nil` once
        /// past the limit; the rest is read and dropped).
        case collecting(HTTPRequest, [UInt8]?)
        /// A request of Hummingbird's is being read; `answered` once its
        /// answer ended before its last part arrived (a refusal or a 404
        /// needs no body).
        case forwarding(answered: Bool)
        /// A request was read in full; its answer is not written yet.
        case answering
    }

    private let responder: MCPPostResponder
    private let executor: EventLoopTaskExecutor
    private var state = State.idle
    private var waiting: CircularBuffer<HTTPRequestPart> = []
    private var readHeld = false
    private var abandonment: (any CallAbandonment)?

    init(responder: MCPPostResponder, eventLoop: any EventLoop) {
        self.responder = responder
        self.executor = EventLoopTaskExecutor(eventLoop: eventLoop)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if let connectionGuard = try? context.pipeline.syncOperations.handler(type: ConnectionGuard.self) {
            abandonment = SignalAbandonment(signal: connectionGuard.closed)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if case .answering = state {
            waiting.append(part)
            return
        }
        process(part, context: context)
    }

    private func process(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch (state, part) {
        case (.idle, .head(let head)):
            if head.method == .post, Self.isMCPPath(head.path) {
                state = .collecting(head, [])
            } else {
                state = .forwarding(answered: false)
                context.fireChannelRead(wrapInboundOut(part))
            }
        case (.collecting(let head, var body), .body(let chunk)):
            state = .answering  // no copy-on-write of `body` while appending
            if body != nil, body!.count + chunk.readableBytes <= responder.maxBody {
                chunk.withUnsafeReadableBytes { body!.append(contentsOf: $0) }
            } else {
                body = nil
            }
            state = .collecting(head, body)
        case (.collecting(let head, let body), .end):
            state = .answering
            answer(head, body: body, context: context)
        case (.forwarding(let answered), .end):
            state = answered ? .idle : .answering
            context.fireChannelRead(wrapInboundOut(part))
        case (.forwarding, _), (.idle, _):
            // Hummingbird reports parts out of order as its own errors.
            context.fireChannelRead(wrapInboundOut(part))
        case (.collecting, .head), (.answering, _):
            context.fireErrorCaught(ChannelError.inappropriateOperationForState)
        }
    }

    /// Reading stops only once a request is waiting: holding every read
    /// while an answer is pending would turn the socket's read interest
    /// off and on again (two system calls) on every call.
    func read(context: ChannelHandlerContext) {
        if case .answering = state, !waiting.isEmpty {
            readHeld = true
            return
        }
        context.read()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(data, promise: promise)
        if case .end = unwrapOutboundIn(data) { answered(context: context) }
    }

    /// An answer ended: reading resumes, starting with the parts of the
    /// next request that arrived meanwhile.
    private func answered(context: ChannelHandlerContext) {
        if case .forwarding = state {
            state = .forwarding(answered: true)
            return
        }
        guard case .answering = state else { return }
        guard waiting.isEmpty else {
            // Not from inside a write: the next request may be
            // Hummingbird's, whose answer would start within this call.
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.execute { bound.value.0.drain(context: bound.value.1) }
            return
        }
        state = .idle
        resumeReading(context: context)
    }

    private func drain(context: ChannelHandlerContext) {
        state = .idle
        while let part = waiting.popFirst() {
            process(part, context: context)
            if case .answering = state { break }
        }
        // Hummingbird's async channel hands on what it was given at the
        // end of a read.
        context.fireChannelReadComplete()
        if case .answering = state { return }
        resumeReading(context: context)
    }

    private func resumeReading(context: ChannelHandlerContext) {
        if readHeld {
            readHeld = false
            context.read()
        }
    }

    private func answer(_ head: HTTPRequest, body: [UInt8]?, context: ChannelHandlerContext) {
        let loop = context.eventLoop
        let bound = NIOLoopBound(context, eventLoop: loop)
        let handler = NIOLoopBound(self, eventLoop: loop)
        let closeAfter = head.headerFields[.connection]?.lowercased().contains("close") ?? false
        let request = PendingAnswer(
            responder: responder, executor: executor, abandonment: abandonment, head: head, body: body, closeAfter: closeAfter
        ) { part, flush in
            let context = bound.value
            handler.value.writeResponsePart(part, context: context, flush: flush)
            if closeAfter, case .end = part { context.close(promise: nil) }
            return context.channel.isActive
        }
        Task(executorPreference: executor) { await request.run() }
    }

    private func writeResponsePart(_ part: HTTPResponsePart, context: ChannelHandlerContext, flush: Bool) {
        context.write(wrapOutboundOut(part), promise: nil)
        if flush { context.flush() }
        if case .end = part { answered(context: context) }
    }

    static func isMCPPath(_ path: String?) -> Bool {
        guard let path else { return false }
        let end = path.firstIndex(of: "?") ?? path.endIndex
        return path[..<end] == "/mcp"
    }
}

@available(*, unavailable)
extension MCPFastPathHandler: Sendable {}

/// A request read in full, answered in its own task on the connection's
/// loop; `emit` writes a part of the answer there and says whether the
/// client is still connected.
private struct PendingAnswer: Sendable {
    let responder: MCPPostResponder
    let executor: EventLoopTaskExecutor
    let abandonment: (any CallAbandonment)?
    let head: HTTPRequest
    let body: [UInt8]?
    let closeAfter: Bool
    let emit: @Sendable (HTTPResponsePart, Bool) -> Bool

    var query: String? {
        head.path.flatMap { path in path.firstIndex(of: "?").map { String(path[path.index(after: $0)...]) } }
    }

    func run() async {
        let response = await EventLoopTaskExecutor.$current.withValue(executor) {
            await ClientConnection.$abandonment.withValue(abandonment) {
                await responder.respond(headers: head.headerFields, query: query, body: body)
            }
        }
        await write(response)
    }

    /// Writes the answer; an event stream is written as its chunks come,
    /// until it ends or the client goes.
    private func write(_ response: MCPHTTPResponse) async {
        var fields = response.headerFields
        if closeAfter { fields[.connection] = "close" }
        let first = response.body
        let emit = self.emit
        guard let stream = response.stream else {
            fields[.contentLength] = String(first.count)
            let head = HTTPResponse(status: response.status, headerFields: fields)
            await onLoop {
                _ = emit(.head(head), false)
                if !first.isEmpty { _ = emit(.body(ByteBuffer(bytes: first)), false) }
                return emit(.end(nil), true)
            }
            return
        }
        let head = HTTPResponse(status: response.status, headerFields: fields)
        var open = await onLoop {
            _ = emit(.head(head), false)
            return emit(.body(ByteBuffer(bytes: first)), true)
        }
        if open {
            for await chunk in stream where !chunk.isEmpty {
                open = await onLoop { emit(.body(ByteBuffer(bytes: chunk)), true) }
                if !open { break }
            }
        }
        await onLoop { emit(.end(nil), true) }
    }

    /// Runs `body` on the connection's loop: directly when the task is
    /// already there, as it is on the hot path. `false` when the loop is gone.
    @discardableResult
    private func onLoop(_ body: @escaping @Sendable () -> Bool) async -> Bool {
        let loop = executor.eventLoop
        if loop.inEventLoop { return body() }
        return (try? await loop.submit(body).get()) ?? false
    }
}
