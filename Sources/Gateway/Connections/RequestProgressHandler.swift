import NIOCore
import NIOHTTPTypes

/// Tells the connection's ``ConnectionGuard`` where each request stands.
///
/// It sits after the HTTP decoder, the only place that knows where a head
/// or a body ends; the guard at the front of the pipeline cannot.
final class RequestProgressHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var connectionGuard: ConnectionGuard?

    func handlerAdded(context: ChannelHandlerContext) {
        connectionGuard = try? context.pipeline.syncOperations.handler(type: ConnectionGuard.self)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: connectionGuard?.headReceived()
        case .end: connectionGuard?.requestReceived()
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { connectionGuard?.responseFinished() }
        context.write(data, promise: promise)
    }
}

@available(*, unavailable)
extension RequestProgressHandler: Sendable {}
