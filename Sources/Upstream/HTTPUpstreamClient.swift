import AsyncHTTPClient
import NIOCore
import NIOSSL
import NIOHTTP1

/// The real upstream client: one shared AsyncHTTPClient with a connection
/// pool sized for many concurrent calls to the same API.
public struct HTTPUpstreamClient: UpstreamClient {
    public let client: HTTPClient

    public init(client: HTTPClient) {
        self.client = client
    }

    /// A client configured for gateway traffic: no redirects (a redirect must
    /// not carry credentials to another host), a pool large enough that the
    /// gateway, not the pool, is the limit, and neither response
    /// decompression nor tracing spans, which together cost about a tenth of
    /// the CPU of a call (see BENCHMARKS.md). Upstreams are typically on the
    /// same network, where compression buys little.
    /// - Parameter caFile: PEM certificate authorities trusted beside the
    ///   system's, for services behind an internal CA.
    public static func makeHTTPClient(connectTimeout: Duration = .seconds(5), caFile: String? = nil) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        if let caFile {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.additionalTrustRoots = [.file(caFile)]
            configuration.tlsConfiguration = tls
        }
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        configuration.tracing.tracer = nil
        configuration.timeout.connect = .milliseconds(connectTimeout.milliseconds)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)
        configuration.httpVersion = .automatic
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// The answer's body in one array, allocated once at the size the
    /// upstream announced (`Content-Length`, when it is within the limit)
    /// and filled chunk by chunk as they arrive: collecting into a buffer
    /// that doubles as it grows and then copying it out held up to three
    /// times a long answer at once.
    static func body(of response: HTTPClientResponse, upTo limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        if let announced = response.headers.first(name: "content-length").flatMap(Int.init), announced >= 0 {
            guard announced <= limit else { throw NIOTooManyBytesError(maxBytes: limit) }
            bytes.reserveCapacity(announced)
        }
        for try await chunk in response.body {
            guard bytes.count + chunk.readableBytes <= limit else { throw NIOTooManyBytesError(maxBytes: limit) }
            chunk.withUnsafeReadableBytes { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    public func send(_ request: UpstreamRequest) async throws(UpstreamFailure) -> UpstreamResponse {
        var http = HTTPClientRequest(url: request.url)
        http.method = .init(rawValue: request.method.rawValue)
        for (name, value) in request.headers { http.headers.add(name: name, value: value) }
        if let body = request.body {
            http.body = .bytes(ByteBuffer(bytes: body))
        }
        let deadline = NIODeadline.now() + .milliseconds(request.timeout.milliseconds)
        do {
            let response = try await client.execute(http, deadline: deadline)
            let bytes = try await Self.body(of: response, upTo: request.maxResponseBytes)
            return UpstreamResponse(status: response.status, headers: response.headers, body: bytes)
        } catch is NIOTooManyBytesError {
            throw .responseTooLarge(limit: request.maxResponseBytes)
        } catch let error as HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                throw .timedOut(request.timeout)
            case .connectTimeout:
                throw .connectionFailed("connection timed out")
            default:
                throw .connectionFailed(String(describing: error))
            }
        } catch {
            if NIODeadline.now() >= deadline { throw .timedOut(request.timeout) }
            throw .connectionFailed(Self.describe(error))
        }
    }

    static func describe(_ error: any Error) -> String {
        if let tls = error as? NIOSSLExtraError, tls == .failedToValidateHostname {
            return "the API's TLS certificate does not name this host"
        }
        let text = String(describing: error)
        if error is NIOSSLError || text.contains("handshakeFailed") {
            // BoringSSL's own text carries source paths and error numbers.
            if text.contains("CERTIFICATE_VERIFY_FAILED") {
                return "the API's TLS certificate is not trusted (a private authority goes in GATEHOUSE_TLS_CA_FILE)"
            }
            return "the TLS handshake with the API failed"
        }
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        if text.localizedCaseInsensitiveContains("resolve") || text.contains("getaddrinfo") { return "host name could not be resolved" }
        return text.count > 200 ? String(text.prefix(200)) : text
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

extension UpstreamResponse {
    /// The answer as both HTTP clients read it: the status, the content
    /// type, a `Retry-After` in seconds on a failure, and the `Link` header.
    init(status: HTTPResponseStatus, headers: HTTPHeaders, body: [UInt8]) {
        let code = Int(status.code)
        self.init(
            status: code, reason: status.reasonPhrase, contentType: headers.first(name: "content-type"), body: body,
            retryAfter: code >= 400 ? headers.first(name: "retry-after").flatMap { Int64($0).map { .seconds(max(0, $0)) } } : nil)
        let links = headers["link"]
        if !links.isEmpty { link = links.joined(separator: ", ") }
    }
}
