import GatehouseJSON

/// One decoded, validated connector file: an upstream REST API and the tools
/// mapped onto it. Secrets are already resolved.
///
/// What a single upstream call needs is kept as one ``UpstreamTarget``
/// value, shared by every tool of the connector; its fields read as the
/// connector's own (`connector.baseURL`).
@dynamicMemberLookup
public struct Connector: Sendable {
    public var target: UpstreamTarget
    public var description: String?
    public var tools: [ToolDefinition]
    /// Ready-made prompts the connector offers.
    public var prompts: [PromptDefinition] = []
    /// Read-only data the connector offers as resources.
    public var resources: [ResourceDefinition] = []
    public var location: SourceLocation

    public var name: String {
        get { target.connector }
        set { target.connector = newValue }
    }

    public subscript<Value>(dynamicMember field: WritableKeyPath<UpstreamTarget, Value>) -> Value {
        get { target[keyPath: field] }
        set { target[keyPath: field] = newValue }
    }

    public init(
        name: String, description: String? = nil, baseURL: BaseURL, headers: [(name: String, value: String)] = [],
        auth: UpstreamAuth? = nil, timeout: Duration = Connector.defaultTimeout, maxResponseBytes: Int = Connector.defaultMaxResponseBytes,
        limits: CallLimits = CallLimits(), retries: RetryPolicy = .off, tools: [ToolDefinition] = [],
        location: SourceLocation, redactor: SecretRedactor = .none, errorBodyBytes: Int = Connector.defaultErrorBodyBytes
    ) {
        self.target = UpstreamTarget(
            connector: name, baseURL: baseURL, headers: headers, auth: auth, timeout: timeout, maxResponseBytes: maxResponseBytes,
            limits: limits, retries: retries, redactor: redactor, errorBodyBytes: errorBodyBytes)
        self.description = description
        self.tools = tools
        self.location = location
    }

    public static let defaultTimeout: Duration = .seconds(30)
    public static let defaultMaxResponseBytes = 10 << 20
    public static let defaultErrorBodyBytes = 1_000
    public static let maxErrorBodyBytes = 65_536
}

/// The fixed part of every upstream URL. Arguments are only ever appended to
/// `path`, so no argument can change the scheme, host or port.
public struct BaseURL: Sendable, Hashable, CustomStringConvertible {
    public let scheme: String
    public let host: String
    public let port: Int?
    /// Without a trailing slash; empty for the root.
    public let path: String
    /// `scheme://host[:port]`, built once: every call's URL starts with it.
    public let origin: String

    public init(scheme: String, host: String, port: Int?, path: String) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
        let hostPart = host.contains(":") ? "[\(host)]" : host
        self.origin = port.map { "\(scheme)://\(hostPart):\($0)" } ?? "\(scheme)://\(hostPart)"
    }

    public var description: String { origin + path }

    public struct ParseError: Error, Sendable { public var message: String }

    public init(parsing text: String) throws(ParseError) {
        guard let schemeEnd = text.range(of: "://") else {
            throw ParseError(message: "base_url must be an absolute http:// or https:// URL")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw ParseError(message: "base_url scheme must be http or https, not \(scheme)")
        }
        let rest = text[schemeEnd.upperBound...]
        guard !rest.contains("?"), !rest.contains("#") else {
            throw ParseError(message: "base_url must not contain a query or fragment")
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.isEmpty, !authority.contains("@") else {
            throw ParseError(message: "base_url needs a host (credentials in the URL are not allowed; use auth:)")
        }
        var host = Substring(authority)
        var port: Int?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw ParseError(message: "invalid IPv6 host in base_url") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else { throw ParseError(message: "invalid port in base_url") }
                port = p
            } else if !after.isEmpty {
                throw ParseError(message: "invalid host in base_url")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let p = Int(authority[authority.index(after: colon)...]), (1...65535).contains(p) else {
                throw ParseError(message: "invalid port in base_url")
            }
            port = p
        }
        guard !host.isEmpty,
            host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == ":" || $0 == "_") })
        else { throw ParseError(message: "invalid host in base_url") }
        var path = String(rest[authorityEnd...])
        while path.hasSuffix("/") { path.removeLast() }
        guard path.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw ParseError(message: "base_url path must be ASCII without spaces (percent-encode it)")
        }
        self.init(scheme: scheme, host: host.lowercased(), port: port, path: path)
    }
}

/// The parts of a connector that may hold secrets, as written in the file.
public struct WrittenTarget: Sendable {
    public var baseURL: String
    public var headers: [(name: String, value: String)]

    public init(baseURL: String = "", headers: [(name: String, value: String)] = []) {
        self.baseURL = baseURL
        self.headers = headers
    }
}

extension Connector {
    /// What a call of `tool` goes to: the connector's target, on the
    /// tool's own base URL when it has one.
    public func target(for tool: ToolDefinition) -> UpstreamTarget {
        guard let own = tool.baseURL else { return target }
        var target = self.target
        target.baseURL = own.url
        target.written.baseURL = own.written
        return target
    }
}

/// Everything about a connector that a single upstream call needs, without
/// its list of tools.
public struct UpstreamTarget: Sendable {
    /// The connector's name.
    public var connector: String
    public var baseURL: BaseURL
    /// Sent on every upstream request, after secrets were substituted.
    public var headers: [(name: String, value: String)]
    public var auth: UpstreamAuth?
    public var timeout: Duration
    /// The most bytes read from any upstream answer; more is an error, so a
    /// runaway upstream cannot exhaust the gateway's memory.
    public var maxResponseBytes: Int
    /// Limits shared by all the connector's tools.
    public var limits: CallLimits
    /// How idempotent calls are retried, unless a tool says otherwise.
    public var retries: RetryPolicy
    /// Finds the connector's credentials in upstream answers.
    public var redactor: SecretRedactor
    /// How much of a failed answer's body a tool error quotes; 0 quotes none.
    public var errorBodyBytes: Int
    /// The base URL and headers as the file writes them, secret references
    /// unresolved: what fingerprints are made of.
    public var written = WrittenTarget()

    public init(
        connector: String, baseURL: BaseURL, headers: [(name: String, value: String)] = [], auth: UpstreamAuth? = nil,
        timeout: Duration = Connector.defaultTimeout, maxResponseBytes: Int = Connector.defaultMaxResponseBytes,
        limits: CallLimits = CallLimits(), retries: RetryPolicy = .off, redactor: SecretRedactor = .none,
        errorBodyBytes: Int = Connector.defaultErrorBodyBytes
    ) {
        self.connector = connector
        self.baseURL = baseURL
        self.headers = headers
        self.auth = auth
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.limits = limits
        self.retries = retries
        self.redactor = redactor
        self.errorBodyBytes = errorBodyBytes
    }
}
