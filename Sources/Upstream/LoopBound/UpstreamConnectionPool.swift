import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The keep-alive connections of one event loop to HTTP/1.1 upstreams,
/// over TLS for `https`.
///
/// Every connection of a pool lives on the pool's loop, and so does every
/// piece of its state: a request that starts on that loop is written,
/// answered and handed back without a lock or a thread switch. One pool per
/// loop (``UpstreamConnectionPools``) gives each request the connections of
/// the loop it already runs on.
final class UpstreamConnectionPool: @unchecked Sendable {
    // @unchecked: every stored property is touched on `eventLoop` only.
    let eventLoop: any EventLoop
    let connectTimeout: TimeAmount
    /// Connections kept idle per host beyond this are closed on release.
    let maxIdlePerHost: Int
    /// An idle connection unused this long is closed.
    let idleTimeout: TimeAmount
    /// Verifies `https` upstreams (the system's authorities and the
    /// configured CA file); shared by every loop.
    let tls: NIOSSLContext?

    private var idle: [String: [PooledConnection]] = [:]
    private var sweep: Scheduled<Void>?

    init(
        eventLoop: any EventLoop, connectTimeout: TimeAmount, tls: NIOSSLContext? = nil, maxIdlePerHost: Int = 512,
        idleTimeout: TimeAmount = .seconds(60)
    ) {
        self.eventLoop = eventLoop
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.maxIdlePerHost = maxIdlePerHost
        self.idleTimeout = idleTimeout
    }

    /// Sends `call`'s request on an idle connection to its host, or on a new
    /// one. Runs on `eventLoop`.
    func start(_ call: PooledCall) {
        eventLoop.assertInEventLoop()
        guard !call.isSettled else { return }
        if let connection = takeIdle(call.target.key) {
            write(call, on: connection, reused: true)
        } else {
            connect(for: call)
        }
    }

    /// Mutates the idle list in place: a copy taken out of the dictionary
    /// would be copied again on the first change.
    private func takeIdle(_ key: String) -> PooledConnection? {
        while let connection = idle[key]?.popLast() {
            if connection.channel.isActive { return connection }
        }
        return nil
    }

    private func connect(for call: PooledCall) {
        let remaining = call.deadline - .now()
        let timeout = min(connectTimeout, max(remaining, .milliseconds(1)))
        let key = call.target.key
        let tls = call.target.secure ? self.tls : nil
        let host = call.target.host
        // ClientBootstrap turns on TCP_NODELAY itself.
        let connecting = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        // Checks the certificate's chain and that it names `host`.
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: host))
                    }
                    // Headers are checked once, as the request head is built.
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(enableOutboundHeaderValidation: false)
                    try channel.pipeline.syncOperations.addHandler(UpstreamExchangeHandler())
                }
            }
            .connect(host: call.target.host, port: call.target.port)
        connecting.whenComplete { result in
            switch result {
            case .success(let channel):
                guard let handler = try? channel.pipeline.syncOperations.handler(type: UpstreamExchangeHandler.self) else {
                    channel.close(promise: nil)
                    return call.finish(.failure(.connectionFailed("the connection could not be set up")))
                }
                let connection = PooledConnection(channel: channel, handler: handler, key: key)
                channel.closeFuture.whenComplete { _ in self.forget(connection) }
                guard !call.isSettled else { return self.release(connection) }
                self.write(call, on: connection, reused: false)
            case .failure(let error):
                if call.isSettled { return }
                if NIODeadline.now() >= call.deadline { return call.finish(.failure(.timedOut(call.request.timeout))) }
                if error is ChannelError, case .connectTimeout = error as! ChannelError {
                    return call.finish(.failure(.connectionFailed("connection timed out")))
                }
                call.finish(.failure(.connectionFailed(HTTPUpstreamClient.describe(error))))
            }
        }
    }

    private func write(_ call: PooledCall, on connection: PooledConnection, reused: Bool) {
        let exchange = UpstreamExchange(maxBytes: call.request.maxResponseBytes) { result, reusable in
            call.exchange = nil
            if case .failure = result, reused, call.mayRetry, !call.isSettled, NIODeadline.now() < call.deadline {
                // The upstream closed the connection while it sat idle.
                call.mayRetry = false
                connection.channel.close(promise: nil)
                return self.connect(for: call)
            }
            if reusable, case .success = result { self.release(connection) } else { connection.channel.close(promise: nil) }
            call.finish(result)
        }
        call.exchange = (exchange, connection.channel)
        connection.handler.begin(exchange)
        let channel = connection.channel
        channel.write(HTTPClientRequestPart.head(call.head), promise: nil)
        if let body = call.request.body, !body.isEmpty {
            channel.write(HTTPClientRequestPart.body(.byteBuffer(channel.allocator.buffer(bytes: body))), promise: nil)
        }
        let written = eventLoop.makePromise(of: Void.self)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: written)
        written.futureResult.whenFailure { error in
            exchange.finish(.failure(.connectionFailed(HTTPUpstreamClient.describe(error))), reusable: false)
        }
    }

    private func release(_ connection: PooledConnection) {
        guard connection.channel.isActive else { return }
        guard idle[connection.key, default: []].count < maxIdlePerHost else { return connection.channel.close(promise: nil) }
        connection.idleSince = .now()
        idle[connection.key, default: []].append(connection)
        scheduleSweep()
    }

    private func forget(_ connection: PooledConnection) {
        guard let index = idle[connection.key]?.firstIndex(where: { $0 === connection }) else { return }
        idle[connection.key]?.remove(at: index)
        if idle[connection.key]?.isEmpty == true { idle[connection.key] = nil }
    }

    private func scheduleSweep() {
        guard sweep == nil else { return }
        sweep = eventLoop.scheduleTask(in: .nanoseconds(idleTimeout.nanoseconds / 2)) {
            self.sweep = nil
            let cutoff = NIODeadline.now() - self.idleTimeout
            for connections in self.idle.values {
                for connection in connections where connection.idleSince < cutoff { connection.channel.close(promise: nil) }
            }
            if !self.idle.isEmpty { self.scheduleSweep() }
        }
    }
}

/// A connection of the pool and the handler that reads its answers.
final class PooledConnection: @unchecked Sendable {
    // @unchecked: confined to the pool's event loop.
    let channel: any Channel
    let handler: UpstreamExchangeHandler
    let key: String
    var idleSince = NIODeadline.now()

    init(channel: any Channel, handler: UpstreamExchangeHandler, key: String) {
        self.channel = channel
        self.handler = handler
        self.key = key
    }
}
