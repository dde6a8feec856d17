import NIOCore
import NIOHTTP1

/// Reads one answer at a time off a pooled upstream connection.
///
/// The connection's pool hands it an ``UpstreamExchange`` per request; this
/// fills in the answer as its parts arrive and settles the exchange when
/// the answer ends, the connection fails, or the upstream closes it.
final class UpstreamExchangeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    private(set) var exchange: UpstreamExchange?
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []

    /// Starts waiting for the answer to a request about to be written.
    func begin(_ exchange: UpstreamExchange) {
        self.exchange = exchange
        head = nil
        body = []
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let exchange else {
            // An answer nobody asked for: the connection is out of step.
            context.close(promise: nil)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let head):
            // An interim answer (100 Continue) is followed by the real one.
            if (100..<200).contains(head.status.code), head.status != .switchingProtocols { return }
            exchange.answerStarted = true
            if let announced = head.headers.first(name: "content-length").flatMap(Int.init), announced >= 0 {
                guard announced <= exchange.maxBytes else { return fail(context, .responseTooLarge(limit: exchange.maxBytes)) }
                body.reserveCapacity(announced)
            }
            self.head = head
        case .body(let chunk):
            guard body.count + chunk.readableBytes <= exchange.maxBytes else {
                return fail(context, .responseTooLarge(limit: exchange.maxBytes))
            }
            chunk.withUnsafeReadableBytes { body.append(contentsOf: $0) }
        case .end:
            guard let head else { return fail(context, .connectionFailed("the upstream sent an answer without a head")) }
            self.exchange = nil
            self.head = nil
            let answer = UpstreamResponse(status: head.status, headers: head.headers, body: body)
            body = []
            exchange.finish(.success(answer), reusable: head.isKeepAlive)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context, .connectionFailed(HTTPUpstreamClient.describe(error)))
    }

    func channelInactive(context: ChannelHandlerContext) {
        if exchange != nil {
            fail(context, .connectionFailed("the upstream closed the connection before it answered"))
        }
        context.fireChannelInactive()
    }

    private func fail(_ context: ChannelHandlerContext, _ failure: UpstreamFailure) {
        let exchange = self.exchange
        self.exchange = nil
        head = nil
        body = []
        exchange?.finish(.failure(failure), reusable: false)
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension UpstreamExchangeHandler: Sendable {}
