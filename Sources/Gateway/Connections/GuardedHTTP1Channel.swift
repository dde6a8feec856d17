import Hummingbird
import HummingbirdCore
import Logging
import MCPProtocol
import NIOCore
import Upstream

/// Hummingbird's HTTP/1.1 child channel with a ``ConnectionGuard`` in
/// front of the HTTP decoder, where the first byte of a request is seen,
/// and the `/mcp` fast path behind it.
///
/// Every request of a connection is handled inside that connection's task,
/// so the guard's "client gone" signal is bound once per connection as the
/// task-local ``ClientConnection/abandonment``: a tool call reads it where
/// it calls the upstream, and no request pays for looking it up.
struct GuardedHTTP1Channel: ServerChildChannel {
    struct Value: ServerChildChannelValue {
        let connection: HTTP1Channel.Value
        let closed: CancellationSignal
        var channel: any Channel { connection.channel }
    }

    let http1: HTTP1Channel
    let limits: ConnectionLimits
    /// Answers `POST /mcp` on the connection's event loop; `nil` on a
    /// listener without the endpoint.
    let mcp: MCPPostResponder?

    init(responder: @escaping HTTPChannelHandler.Responder, limits: ConnectionLimits, mcp: MCPPostResponder?) {
        self.http1 = HTTP1Channel(
            responder: responder, configuration: .init(additionalChannelHandlers: [RequestProgressHandler()]))
        self.limits = limits
        self.mcp = mcp
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let limits = self.limits
        return channel.eventLoop.makeCompletedFuture { () -> CancellationSignal in
            let connectionGuard = ConnectionGuard(limits: limits)
            try channel.pipeline.syncOperations.addHandler(connectionGuard, position: .first)
            return connectionGuard.closed
        }.flatMap { closed in
            http1.setup(channel: channel, logger: logger).flatMapThrowing { connection in
                if let mcp {
                    // After Hummingbird's connection state handler, which
                    // then counts these requests too: idle timeouts and a
                    // graceful shutdown wait for their answers.
                    let operations = channel.pipeline.syncOperations
                    let state = try operations.handler(type: HTTPConnectionStateHandler.self)
                    try operations.addHandler(MCPFastPathHandler(responder: mcp, eventLoop: channel.eventLoop), position: .after(state))
                }
                return Value(connection: connection, closed: closed)
            }
        }
    }

    func handle(value: Value, logger: Logger) async {
        await ClientConnection.$abandonment.withValue(SignalAbandonment(signal: value.closed)) {
            await http1.handle(value: value.connection, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with the gateway's connection limits.
    static func guardedHTTP1(limits: ConnectionLimits, mcp: MCPPostResponder?) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in GuardedHTTP1Channel(responder: responder, limits: limits, mcp: mcp) }
    }
}
