// The event-loop floor: the shape the gateway's `/mcp` path now has, doing
// no gateway work. NIO's HTTP/1.1 server; each request answered in a task
// that prefers the connection's event loop; the upstream reached on a
// keep-alive connection of that same loop, owned by the inbound
// connection. What any gateway built this way can reach on a machine.
import NIOCore
import NIOHTTP1
import NIOPosix
import Upstream

final class EventLoopFloorHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: touched on the connection's event loop only.
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let upstream: UpstreamAddress
    let executor: EventLoopTaskExecutor
    var connection: (any Channel)?
    var pending: [EventLoopPromise<ByteBuffer>] = []

    init(upstream: UpstreamAddress, eventLoop: any EventLoop) {
        self.upstream = upstream
        self.executor = EventLoopTaskExecutor(eventLoop: eventLoop)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        let loop = context.eventLoop
        let bound = NIOLoopBound(context, eventLoop: loop)
        Task(executorPreference: executor) {
            let body = try await self.fetch(on: loop).get()
            let context = bound.value
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: "application/json")
            headers.add(name: "content-length", value: String(body.readableBytes))
            context.write(self.wrapOutboundOut(.head(.init(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    func fetch(on loop: any EventLoop) -> EventLoopFuture<ByteBuffer> {
        let ready: EventLoopFuture<any Channel>
        if let connection, connection.isActive {
            ready = loop.makeSucceededFuture(connection)
        } else {
            ready = ClientBootstrap(group: loop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(UpstreamBodyCollector(owner: self))
                    }
                }
                .connect(host: upstream.host, port: upstream.port)
                .map { channel in
                    self.connection = channel
                    return channel
                }
        }
        return ready.flatMap { channel in
            let promise = loop.makePromise(of: ByteBuffer.self)
            self.pending.append(promise)
            var headers = HTTPHeaders()
            headers.add(name: "host", value: self.upstream.host)
            channel.write(HTTPClientRequestPart.head(.init(version: .http1_1, method: .GET, uri: self.upstream.path, headers: headers)), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            return promise.futureResult
        }
    }
}

/// Hands each upstream answer's body to the request waiting for it.
final class UpstreamBodyCollector: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: touched on the connection's event loop only.
    typealias InboundIn = HTTPClientResponsePart
    unowned let owner: EventLoopFloorHandler
    var body = ByteBuffer()

    init(owner: EventLoopFloorHandler) { self.owner = owner }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: body.clear()
        case .body(var chunk): body.writeBuffer(&chunk)
        case .end: if !owner.pending.isEmpty { owner.pending.removeFirst().succeed(body) }
        }
    }
}

struct UpstreamAddress: Sendable {
    let host: String
    let port: Int
    let path: String

    /// `http://HOST:PORT/PATH`, the only form the floor is given.
    init?(_ url: String) {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        let parts = authority.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { return nil }
        host = String(parts[0])
        self.port = port
        path = rest.count > authority.count ? String(rest.dropFirst(authority.count)) : "/"
    }
}

func runEventLoopFloor(port: Int, upstream: UpstreamAddress) async throws {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.backlog, value: 256)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                try channel.pipeline.syncOperations.addHandler(EventLoopFloorHandler(upstream: upstream, eventLoop: channel.eventLoop))
            }
        }
        .bind(host: "127.0.0.1", port: port).get()
    try await channel.closeFuture.get()
}
