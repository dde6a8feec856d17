/// How the gateway authenticates to an API.
///
/// Never with the caller's own token: passing that on is forbidden by the
/// MCP specification (the API would accept a token that was not meant for
/// it). The per-user kinds send a credential of the person calling, but one
/// issued for this API or entered for it.
public enum UpstreamAuth: Sendable, Equatable {
    case bearer(token: String)
    case basic(username: String, password: String)
    case apiKeyHeader(name: String, value: String)
    case apiKeyQuery(name: String, value: String)
    /// A token the gateway obtains for itself (RFC 6749 §4.4) and renews.
    case clientCredentials(ClientCredentialsGrant)
    /// The caller's access token at the identity provider of the built-in
    /// authorization server, for APIs that trust that provider.
    case signInToken
    /// The caller's token exchanged for one issued for this API.
    case tokenExchange(TokenExchangeGrant)
    /// The caller's own account at another service, linked in a browser.
    case linkedAccount(LinkedAccountProvider)
    /// The caller's own API key, entered on a page of the gateway.
    case userAPIKey(UserAPIKeyPlacement)

    /// The credential values as they are sent, whether or not the file
    /// wrote them literally. Per-user credentials are not known here; the
    /// gateway never quotes them, whatever the API answers.
    public var secretValues: [String] {
        switch self {
        case .bearer(let token): [token]
        case .basic(let username, let password): [password, username + ":" + password]
        case .apiKeyHeader(_, let value), .apiKeyQuery(_, let value): [value]
        case .clientCredentials(let grant): grant.client.secretValues
        case .tokenExchange(let grant): grant.client.secretValues
        case .linkedAccount(let provider): provider.client.secretValues
        case .signInToken, .userAPIKey: []
        }
    }

    /// Whether each caller brings their own credential, so anonymous calls
    /// are refused and nothing is shared between users.
    public var isPerUser: Bool {
        switch self {
        case .bearer, .basic, .apiKeyHeader, .apiKeyQuery, .clientCredentials: false
        case .signInToken, .tokenExchange, .linkedAccount, .userAPIKey: true
        }
    }

    /// Whether the credential is obtained at call time rather than written
    /// in the file.
    public var isObtained: Bool {
        switch self {
        case .bearer, .basic, .apiKeyHeader, .apiKeyQuery: false
        default: true
        }
    }

    /// The name `auth:` gives this kind in a connector file.
    public var kindName: String {
        switch self {
        case .bearer: "bearer"
        case .basic: "basic"
        case .apiKeyHeader, .apiKeyQuery: "api_key"
        case .clientCredentials: "client_credentials"
        case .signInToken: "sign_in_token"
        case .tokenExchange(let grant): grant.style == .onBehalfOf ? "on_behalf_of" : "token_exchange"
        case .linkedAccount: "linked_account"
        case .userAPIKey: "user_api_key"
        }
    }
}

/// The gateway as an OAuth client of some token endpoint.
public struct OAuthClientSettings: Sendable, Hashable {
    /// Where the token endpoint is: named, or found from an issuer's
    /// metadata.
    public enum Endpoint: Sendable, Hashable {
        case tokenURL(String)
        case issuer(String)
    }

    public enum Authentication: String, Sendable, Hashable {
        case basic = "client_secret_basic"
        case post = "client_secret_post"
    }

    public var endpoint: Endpoint
    public var clientID: String
    public var clientSecret: String?
    public var authentication: Authentication
    public var scope: String?

    public init(endpoint: Endpoint, clientID: String, clientSecret: String?, authentication: Authentication = .basic, scope: String? = nil) {
        self.endpoint = endpoint
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.authentication = authentication
        self.scope = scope
    }

    var secretValues: [String] { clientSecret.map { [$0] } ?? [] }
}

/// `auth: { client_credentials: … }`.
public struct ClientCredentialsGrant: Sendable, Hashable {
    public var client: OAuthClientSettings
    public var audience: String?
    public var resource: String?

    public init(client: OAuthClientSettings, audience: String? = nil, resource: String? = nil) {
        self.client = client
        self.audience = audience
        self.resource = resource
    }
}

/// `auth: { token_exchange: … }` and `auth: { on_behalf_of: … }`.
public struct TokenExchangeGrant: Sendable, Hashable {
    public enum Style: Sendable, Hashable {
        /// RFC 8693.
        case rfc8693
        /// Microsoft Entra's jwt-bearer grant with `requested_token_use=on_behalf_of`.
        case onBehalfOf
    }

    public var style: Style
    public var client: OAuthClientSettings
    public var audience: String?
    public var resource: String?
    public var requestedTokenType: String?

    public init(
        style: Style, client: OAuthClientSettings, audience: String? = nil, resource: String? = nil, requestedTokenType: String? = nil
    ) {
        self.style = style
        self.client = client
        self.audience = audience
        self.resource = resource
        self.requestedTokenType = requestedTokenType
    }
}

/// `auth: { linked_account: … }`: the service users link their account at.
public struct LinkedAccountProvider: Sendable, Hashable {
    public var client: OAuthClientSettings
    /// Where browsers go to authorize; nil when discovered from the issuer.
    public var authorizationURL: String?
    /// The service's name as users know it.
    public var title: String?

    public init(client: OAuthClientSettings, authorizationURL: String? = nil, title: String? = nil) {
        self.client = client
        self.authorizationURL = authorizationURL
        self.title = title
    }
}

/// `auth: { user_api_key: … }`: where each user's key goes.
public struct UserAPIKeyPlacement: Sendable, Hashable {
    public enum Location: Sendable, Hashable {
        case header(String)
        case query(String)
    }

    public var location: Location
    public var prefix: String
    public var instructions: String?
    public var title: String?

    public init(location: Location, prefix: String = "", instructions: String? = nil, title: String? = nil) {
        self.location = location
        self.prefix = prefix
        self.instructions = instructions
        self.title = title
    }
}
