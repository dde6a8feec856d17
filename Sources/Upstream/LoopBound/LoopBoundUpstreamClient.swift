import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The upstream client of the hot path: HTTP/1.1 requests, plain or over
/// TLS, go out on a keep-alive connection of the event loop the calling
/// task runs on; what it does not speak (another scheme, credentials in
/// the URL, `https` to an IP address, which TLS cannot name) goes to
/// `fallback`.
///
/// AsyncHTTPClient picks a connection from one pool shared by all loops and
/// answers through a continuation, so a call started on one loop is often
/// written by another and resumed by a third: with the whole gateway on two
/// cores, its floor (Hummingbird in front, nothing in between) reached half
/// of an nginx proxy. Keeping the exchange on the caller's loop is what the
/// pinned floor in BENCHMARKS.md measures.
public struct LoopBoundUpstreamClient: UpstreamClient {
    let pools: UpstreamConnectionPools
    let fallback: any UpstreamClient

    /// - Parameters:
    ///   - group: the loops to keep connections on, the server's own.
    ///   - caFile: PEM certificate authorities trusted beside the system's.
    ///   - fallback: the client for requests this one does not speak.
    /// - Throws: ``CertificateAuthoritiesUnreadable`` when `caFile` holds no
    ///   certificates: better refused at start than on every call.
    public init(
        group: MultiThreadedEventLoopGroup = .singleton, connectTimeout: Duration = .seconds(5), caFile: String? = nil,
        fallback: any UpstreamClient
    ) throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile { configuration.additionalTrustRoots = [.file(caFile)] }
        let tls: NIOSSLContext
        do {
            tls = try NIOSSLContext(configuration: configuration)
        } catch {
            throw CertificateAuthoritiesUnreadable(path: caFile ?? "(the system's)", reason: String(describing: error))
        }
        self.pools = UpstreamConnectionPools(group: group, connectTimeout: .nanoseconds(connectTimeout.nanoseconds), tls: tls)
        self.fallback = fallback
    }

    /// The certificate authorities for `https` upstreams could not be loaded.
    public struct CertificateAuthoritiesUnreadable: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "the certificate authorities in \(path) could not be loaded as PEM certificates (\(reason))" }
    }

    public func send(_ request: UpstreamRequest) async throws(UpstreamFailure) -> UpstreamResponse {
        guard let target = HTTP1Target(url: request.url), !(target.secure && target.hostIsIPAddress) else {
            return try await fallback.send(request)
        }
        let head = try Self.head(of: request, to: target)
        // Before the call exists: its promise must be completed once made,
        // and a caller that has gone away (a client that disconnected while
        // its call waited for a thread) needs no request sent.
        if Task.isCancelled { throw .connectionFailed("cancelled") }
        let pool = pools.current
        let call = PooledCall(request: request, target: target, head: head, eventLoop: pool.eventLoop)
        if pool.eventLoop.inEventLoop {
            call.armTimer(on: pool.eventLoop)
            pool.start(call)
        } else {
            pool.eventLoop.execute {
                call.armTimer(on: pool.eventLoop)
                pool.start(call)
            }
        }
        do {
            return try await withTaskCancellationHandler {
                try await call.promise.futureResult.get()
            } onCancel: {
                pool.eventLoop.execute { call.stop(.connectionFailed("cancelled")) }
            }
        } catch let failure as UpstreamFailure {
            throw failure
        } catch {
            throw .connectionFailed(HTTPUpstreamClient.describe(error))
        }
    }

    /// The request head, refusing a header no HTTP/1.1 message may carry
    /// (a line break or NUL in a value, a name that is not a token) rather
    /// than sending it.
    static func head(of request: UpstreamRequest, to target: HTTP1Target) throws(UpstreamFailure) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.reserveCapacity(request.headers.count + 2)
        var hasHost = false
        for (name, value) in request.headers {
            guard Self.isToken(name), !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
                throw .connectionFailed("the request has a header HTTP cannot carry: \(Self.isToken(name) ? name : "(invalid name)")")
            }
            if !hasHost, name.utf8.count == 4, name.lowercased() == "host" { hasHost = true }
            headers.add(name: name, value: value)
        }
        if !hasHost { headers.add(name: "Host", value: target.authority) }
        if let body = request.body {
            headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
        } else if request.method == .POST || request.method == .PUT || request.method == .PATCH {
            headers.replaceOrAdd(name: "Content-Length", value: "0")
        }
        return HTTPRequestHead(version: .http1_1, method: .init(rawValue: request.method.rawValue), uri: target.requestTarget, headers: headers)
    }

    private static func isToken(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
            case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
                 UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
                 UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"): true
            default: false
            }
        }
    }
}

/// One ``UpstreamConnectionPool`` per loop of a group, looked up without a
/// lock: the table is built once and never changes.
final class UpstreamConnectionPools: Sendable {
    private let pools: [ObjectIdentifier: UpstreamConnectionPool]
    private let group: MultiThreadedEventLoopGroup

    init(group: MultiThreadedEventLoopGroup, connectTimeout: TimeAmount, tls: NIOSSLContext?) {
        var pools: [ObjectIdentifier: UpstreamConnectionPool] = [:]
        for loop in group.makeIterator() {
            pools[ObjectIdentifier(loop)] = UpstreamConnectionPool(eventLoop: loop, connectTimeout: connectTimeout, tls: tls)
        }
        self.pools = pools
        self.group = group
    }

    /// The pool of the loop this code runs on, or of the group's next loop.
    var current: UpstreamConnectionPool {
        if let loop = MultiThreadedEventLoopGroup.currentEventLoop, let pool = pools[ObjectIdentifier(loop)] { return pool }
        return pools[ObjectIdentifier(group.next())]!
    }
}
