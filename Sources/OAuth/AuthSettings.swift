/// How the MCP endpoint checks callers.
public struct AuthSettings: Sendable {
    /// An authorization server whose tokens are accepted.
    public struct Issuer: Sendable, Equatable {
        /// Exactly as it appears in tokens' `iss` and in its metadata.
        public var issuer: String
        /// Where its signing keys are; found through its metadata when absent.
        public var jwksURL: String?

        public init(issuer: String, jwksURL: String? = nil) {
            self.issuer = issuer
            self.jwksURL = jwksURL
        }
    }

    /// RFC 7662 introspection for opaque (non-JWT) tokens.
    public struct Introspection: Sendable, Equatable {
        public var endpoint: String
        public var clientID: String
        public var clientSecret: String

        public init(endpoint: String, clientID: String, clientSecret: String) {
            self.endpoint = endpoint
            self.clientID = clientID
            self.clientSecret = clientSecret
        }
    }

    public var enabled: Bool
    public var issuers: [Issuer]
    /// A token must name at least one of these in `aud`.
    public var audiences: [String]
    /// Audiences of other endpoints this server also serves; the verifier
    /// accepts them, and each endpoint then checks for its own.
    public var extraAudiences: AudienceSet?
    /// Scopes every request to the endpoint needs.
    public var requiredScopes: [String]
    public var clockSkew: Duration
    public var introspection: Introspection?
    /// Plain-HTTP metadata and key sets are refused unless on a loopback
    /// address or explicitly allowed (tests, labs).
    public var allowInsecureIssuers: Bool
    /// The least time between two key-set refreshes caused by unknown `kid`s;
    /// zero for tokens that only ever arrive server to server.
    public var jwksRefreshInterval: Duration
    /// Whether `{{ user.email }}` may carry an address the issuer marked
    /// `email_verified: false`. Off: such an address counts as absent.
    public var allowUnverifiedEmail: Bool

    public init(
        enabled: Bool = false, issuers: [Issuer] = [], audiences: [String] = [], requiredScopes: [String] = [],
        clockSkew: Duration = .seconds(60), introspection: Introspection? = nil, allowInsecureIssuers: Bool = false,
        jwksRefreshInterval: Duration = .seconds(30), allowUnverifiedEmail: Bool = false
    ) {
        self.enabled = enabled
        self.issuers = issuers
        self.audiences = audiences
        self.requiredScopes = requiredScopes
        self.clockSkew = clockSkew
        self.introspection = introspection
        self.allowInsecureIssuers = allowInsecureIssuers
        self.jwksRefreshInterval = jwksRefreshInterval
        self.allowUnverifiedEmail = allowUnverifiedEmail
    }
}

extension AuthSettings {
    /// Whether a token naming `audience` may be for this server at all.
    func accepts(audience: String) -> Bool {
        audiences.contains(audience) || extraAudiences?.contains(audience) == true
    }

    /// https, or http on loopback only unless `allowInsecure`: the rule for
    /// every issuer URL, the resource server's issuers and the built-in
    /// server's upstream provider alike.
    public static func isAcceptableIssuerURL(_ url: String, allowInsecure: Bool) -> Bool {
        if allowInsecure || url.hasPrefix("https://") { return true }
        for loopback in ["http://127.0.0.1", "http://localhost", "http://[::1]"] {
            if url.hasPrefix(loopback + ":") || url.hasPrefix(loopback + "/") || url == loopback { return true }
        }
        return false
    }
}
