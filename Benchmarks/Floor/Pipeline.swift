// The pipeline floor: NIO's HTTP/1 server and AsyncHTTPClient's
// event-loop API on the same loop, no Swift tasks at all.
import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix

final class PipelineFloorHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let client: HTTPClient
    let upstreamURL: String
    let useTask: Bool
    init(client: HTTPClient, upstreamURL: String, useTask: Bool) {
        self.client = client; self.upstreamURL = upstreamURL; self.useTask = useTask
    }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head, .body: break
        case .end:
            let loop = context.eventLoop
            let boundContext = NIOLoopBound(context, eventLoop: loop)
            if useTask {
                let client = self.client, url = self.upstreamURL
                Task(executorPreference: loop.taskExecutorX) {
                    let response = try await client.execute(HTTPClientRequest(url: url), deadline: .now() + .seconds(10))
                    let body = try await response.body.collect(upTo: 1 << 20)
                    loop.execute {
                        let context = boundContext.value
                        self.write(context: context, body: body)
                    }
                }
            } else {
                let request = try! HTTPClient.Request(url: upstreamURL)
                client.execute(request: request, eventLoop: .delegateAndChannel(on: loop)).whenComplete { result in
                    let context = boundContext.value
                    let body = (try? result.get().body) ?? nil
                    self.write(context: context, body: body ?? ByteBuffer())
                }
            }
        }
    }
    func write(context: ChannelHandlerContext, body: ByteBuffer) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(body.readableBytes))
        context.write(wrapOutboundOut(.head(.init(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

func runPipelineFloor(port: Int, upstreamURL: String, client: HTTPClient, useTask: Bool) async throws {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.backlog, value: 256)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                try channel.pipeline.syncOperations.addHandler(PipelineFloorHandler(client: client, upstreamURL: upstreamURL, useTask: useTask))
            }
        }
        .bind(host: "127.0.0.1", port: port).get()
    try await channel.closeFuture.get()
}

final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let loop: any EventLoop
    init(loop: any EventLoop) { self.loop = loop }
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

extension EventLoop {
    var taskExecutorX: any TaskExecutor { EventLoopTaskExecutor(loop: self) }
}

/// Each inbound connection owns one upstream connection on its own loop.
final class PinnedFloorHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let host: String, port: Int, path: String
    var upstream: (any Channel)?
    var pending: [EventLoopPromise<ByteBuffer>] = []
    let useTask: Bool
    let executor: EventLoopTaskExecutor?
    init(host: String, port: Int, path: String, useTask: Bool, loop: any EventLoop) {
        self.host = host; self.port = port; self.path = path; self.useTask = useTask
        self.executor = useTask ? EventLoopTaskExecutor(loop: loop) : nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        let loop = context.eventLoop
        let bound = NIOLoopBound(context, eventLoop: loop)
        if let executor {
            Task(executorPreference: executor) {
                let body = try await self.fetch(loop: loop).get()
                let context = bound.value
                var headers = HTTPHeaders()
                headers.add(name: "content-type", value: "application/json")
                headers.add(name: "content-length", value: String(body.readableBytes))
                context.write(self.wrapOutboundOut(.head(.init(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                context.write(self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
                context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            }
            return
        }
        let channelFuture: EventLoopFuture<any Channel>
        if let upstream { channelFuture = loop.makeSucceededFuture(upstream) } else {
            channelFuture = ClientBootstrap(group: loop)
                .channelInitializer { ch in
                    ch.eventLoop.makeCompletedFuture {
                        try ch.pipeline.syncOperations.addHTTPClientHandlers()
                        try ch.pipeline.syncOperations.addHandler(UpstreamCollector(owner: self))
                    }
                }
                .connect(host: host, port: port).map { ch in self.upstream = ch; return ch }
        }
        channelFuture.whenSuccess { ch in
            let promise = loop.makePromise(of: ByteBuffer.self)
            self.pending.append(promise)
            var headers = HTTPHeaders(); headers.add(name: "host", value: self.host)
            ch.write(HTTPClientRequestPart.head(.init(version: .http1_1, method: .GET, uri: self.path, headers: headers)), promise: nil)
            ch.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            promise.futureResult.whenSuccess { body in
                let context = bound.value
                var headers = HTTPHeaders()
                headers.add(name: "content-type", value: "application/json")
                headers.add(name: "content-length", value: String(body.readableBytes))
                context.write(self.wrapOutboundOut(.head(.init(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                context.write(self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
                context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}

extension PinnedFloorHandler {
    func fetch(loop: any EventLoop) -> EventLoopFuture<ByteBuffer> {
        let channelFuture: EventLoopFuture<any Channel>
        if let upstream { channelFuture = loop.makeSucceededFuture(upstream) } else {
            channelFuture = ClientBootstrap(group: loop)
                .channelInitializer { ch in
                    ch.eventLoop.makeCompletedFuture {
                        try ch.pipeline.syncOperations.addHTTPClientHandlers()
                        try ch.pipeline.syncOperations.addHandler(UpstreamCollector(owner: self))
                    }
                }
                .connect(host: host, port: port).map { ch in self.upstream = ch; return ch }
        }
        return channelFuture.flatMap { ch in
            let promise = loop.makePromise(of: ByteBuffer.self)
            self.pending.append(promise)
            var headers = HTTPHeaders(); headers.add(name: "host", value: self.host)
            ch.write(HTTPClientRequestPart.head(.init(version: .http1_1, method: .GET, uri: self.path, headers: headers)), promise: nil)
            ch.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            return promise.futureResult
        }
    }
}

final class UpstreamCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    unowned let owner: PinnedFloorHandler
    var body = ByteBuffer()
    init(owner: PinnedFloorHandler) { self.owner = owner }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: body.clear()
        case .body(var chunk): body.writeBuffer(&chunk)
        case .end: owner.pending.removeFirst().succeed(body)
        }
    }
}

func runPinnedFloor(port: Int, upstreamURL: String, useTask: Bool) async throws {
    // http://127.0.0.1:PORT/path
    let rest = upstreamURL.dropFirst("http://".count)
    let hostPort = rest.prefix { $0 != "/" }
    let path = String(rest.dropFirst(hostPort.count))
    let parts = hostPort.split(separator: ":")
    let host = String(parts[0]), upstreamPort = Int(parts[1])!
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.backlog, value: 256)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                try channel.pipeline.syncOperations.addHandler(PinnedFloorHandler(host: host, port: upstreamPort, path: path, useTask: useTask, loop: channel.eventLoop))
            }
        }
        .bind(host: "127.0.0.1", port: port).get()
    try await channel.closeFuture.get()
}

/// Idle upstream connections of one event loop, touched only on that loop.
final class LoopPool: @unchecked Sendable {
    let loop: any EventLoop
    let host: String, port: Int, path: String
    var idle: [any Channel] = []
    init(loop: any EventLoop, host: String, port: Int, path: String) { self.loop = loop; self.host = host; self.port = port; self.path = path }

    func fetch() -> EventLoopFuture<ByteBuffer> {
        let channelFuture: EventLoopFuture<any Channel>
        while let last = idle.last, !last.isActive { idle.removeLast() }
        if let channel = idle.popLast() { channelFuture = loop.makeSucceededFuture(channel) } else {
            channelFuture = ClientBootstrap(group: loop)
                .channelInitializer { ch in
                    ch.eventLoop.makeCompletedFuture {
                        try ch.pipeline.syncOperations.addHTTPClientHandlers()
                        try ch.pipeline.syncOperations.addHandler(PooledCollector())
                    }
                }
                .connect(host: host, port: port)
        }
        return channelFuture.flatMap { ch in
            let collector = try! ch.pipeline.syncOperations.handler(type: PooledCollector.self)
            let promise = self.loop.makePromise(of: ByteBuffer.self)
            collector.promise = promise
            var headers = HTTPHeaders(); headers.add(name: "host", value: self.host)
            ch.write(HTTPClientRequestPart.head(.init(version: .http1_1, method: .GET, uri: self.path, headers: headers)), promise: nil)
            ch.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            return promise.futureResult.map { body in self.idle.append(ch); return body }
        }
    }
}

final class PooledCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    var promise: EventLoopPromise<ByteBuffer>?
    var body = ByteBuffer()
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: body.clear()
        case .body(var chunk): body.writeBuffer(&chunk)
        case .end: let p = promise; promise = nil; p?.succeed(body)
        }
    }
}

final class LoopPools: Sendable {
    let pools: [ObjectIdentifier: LoopPool]
    let group: MultiThreadedEventLoopGroup
    init(group: MultiThreadedEventLoopGroup, upstreamURL: String) {
        let rest = upstreamURL.dropFirst("http://".count)
        let hostPort = rest.prefix { $0 != "/" }
        let path = String(rest.dropFirst(hostPort.count))
        let parts = hostPort.split(separator: ":")
        var pools: [ObjectIdentifier: LoopPool] = [:]
        for loop in group.makeIterator() {
            pools[ObjectIdentifier(loop)] = LoopPool(loop: loop, host: String(parts[0]), port: Int(parts[1])!, path: path)
        }
        self.pools = pools
        self.group = group
    }
    func fetch() async throws -> ByteBuffer {
        let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? group.any()
        let pool = pools[ObjectIdentifier(loop)]!
        if loop.inEventLoop { return try await pool.fetch().get() }
        return try await loop.flatSubmit { pool.fetch() }.get()
    }
}
