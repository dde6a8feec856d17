import ConnectorModel

/// One fully built HTTP request to an upstream API.
public struct UpstreamRequest: Sendable {
    public var method: HTTPMethod
    /// The complete URL, query included (it may carry an API key).
    public var url: String
    /// The URL without its query: safe to show in messages and logs.
    public var displayURL: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    public var timeout: Duration
    public var maxResponseBytes: Int
    /// The credentials this request carries, to be kept out of what the
    /// upstream says back.
    public var redactor: SecretRedactor
    /// The credential obtained for this call, kept out the same way.
    public var credentialRedactor: SecretRedactor = .none
    /// How much of a failed answer's body a tool error may quote.
    public var errorBodyBytes: Int
    /// The page a paginated tool's request asks for.
    public var page: PageState?
    /// Turns where a paginated call stopped into the cursor the model gets.
    public var sealCursor: (@Sendable (PageState) -> String)?

    public init(
        method: HTTPMethod, url: String, displayURL: String, headers: [(name: String, value: String)], body: [UInt8]?,
        timeout: Duration, maxResponseBytes: Int, redactor: SecretRedactor = .none,
        errorBodyBytes: Int = Connector.defaultErrorBodyBytes
    ) {
        self.redactor = redactor
        self.errorBodyBytes = errorBodyBytes
        self.method = method
        self.url = url
        self.displayURL = displayURL
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// The upstream's answer, read in full (up to the byte cap).
public struct UpstreamResponse: Sendable {
    public var status: Int
    public var reason: String
    public var contentType: String?
    public var body: [UInt8]
    /// The upstream's `Retry-After`, when it gave one in seconds.
    public var retryAfter: Duration?
    /// The upstream's `Link` header (RFC 8288), for link pagination.
    public var link: String?

    public init(status: Int, reason: String = "", contentType: String?, body: [UInt8], retryAfter: Duration? = nil) {
        self.status = status
        self.reason = reason
        self.contentType = contentType
        self.body = body
        self.retryAfter = retryAfter
    }
}

/// Why an upstream call produced no answer.
public enum UpstreamFailure: Error, Sendable, Equatable {
    case timedOut(Duration)
    case connectionFailed(String)
    case responseTooLarge(limit: Int)
}

/// The seam between tool calls and the network, so everything above it is
/// tested without sockets.
public protocol UpstreamClient: Sendable {
    func send(_ request: UpstreamRequest) async throws(UpstreamFailure) -> UpstreamResponse
}
