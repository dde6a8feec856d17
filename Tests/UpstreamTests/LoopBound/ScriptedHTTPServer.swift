import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A real HTTP/1.1 server on 127.0.0.1 whose every answer is chosen by the
/// test: an answer, an answer and a close, silence, or a close without an
/// answer. It counts connections and records each request as it arrived.
final class ScriptedHTTPServer: Sendable {
    enum Reply: Sendable {
        case answer(status: HTTPResponseStatus = .ok, headers: [(String, String)] = [], body: [UInt8] = Array(#"{"ok":true}"#.utf8))
        /// Answers with the body in chunks and no length.
        case chunked([UInt8])
        /// Never answers.
        case silence
        /// Closes the connection without a byte.
        case close
    }

    struct Received: Sendable {
        let head: HTTPRequestHead
        let body: [UInt8]
        /// Which connection (1, 2, ...) and which request on it (1, 2, ...).
        let connection: Int
        let index: Int
    }

    private let state = Mutex<(connections: Int, received: [Received])>((0, []))
    private let script: @Sendable (Received) -> Reply
    private let channel: any Channel
    let port: Int

    init(_ script: @escaping @Sendable (Received) -> Reply) async throws {
        self.script = script
        let holder = ServerHolder()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: false)
                    try channel.pipeline.syncOperations.addHandler(ScriptedHandler(server: holder.server!))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        self.channel = channel
        self.port = channel.localAddress!.port!
        holder.server = self
    }

    var base: String { "http://127.0.0.1:\(port)" }
    var connections: Int { state.withLock { $0.connections } }
    var received: [Received] { state.withLock { $0.received } }

    func close() async throws { try await channel.close() }

    fileprivate func opened() -> Int { state.withLock { $0.connections += 1; return $0.connections } }

    fileprivate func reply(to received: Received) -> Reply {
        state.withLock { $0.received.append(received) }
        return script(received)
    }
}

private final class ServerHolder: @unchecked Sendable {
    // @unchecked: set once before the first connection is accepted.
    var server: ScriptedHTTPServer?
}

private final class ScriptedHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let server: ScriptedHTTPServer
    var connection = 0
    var index = 0
    var head: HTTPRequestHead?
    var body: [UInt8] = []

    init(server: ScriptedHTTPServer) { self.server = server }

    func channelActive(context: ChannelHandlerContext) {
        connection = server.opened()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(let chunk):
            body.append(contentsOf: chunk.readableBytesView)
        case .end:
            index += 1
            let received = ScriptedHTTPServer.Received(head: head!, body: body, connection: connection, index: index)
            switch server.reply(to: received) {
            case .answer(let status, let headers, let body):
                var fields = HTTPHeaders(headers)
                fields.replaceOrAdd(name: "content-length", value: String(body.count))
                context.write(wrapOutboundOut(.head(.init(version: .http1_1, status: status, headers: fields))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                if headers.contains(where: { $0.0.lowercased() == "connection" && $0.1.lowercased() == "close" }) {
                    context.close(promise: nil)
                }
            case .chunked(let body):
                context.write(wrapOutboundOut(.head(.init(version: .http1_1, status: .ok, headers: ["transfer-encoding": "chunked"]))), promise: nil)
                for start in stride(from: 0, to: body.count, by: 10_000) {
                    let part = body[start..<min(start + 10_000, body.count)]
                    context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: part)))), promise: nil)
                }
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            case .silence:
                break
            case .close:
                context.close(promise: nil)
            }
        }
    }
}
