/// The ways a connector authenticates to its API: the keys of `auth:`, of
/// which a file writes exactly one.
///
/// The first three send one credential for every caller; the others send a
/// credential of the person calling (or, for `client_credentials`, one the
/// gateway obtains and renews itself).
enum AuthKind: String, SectionKey {
    /// `Authorization: Bearer <token>`.
    case bearer
    /// `Authorization: Basic`, from a username and a password.
    case basic
    /// A key sent in a header or a query item (see ``APIKeyAuthKey``).
    case apiKey = "api_key"
    /// A service token from the OAuth client credentials grant.
    case clientCredentials = "client_credentials"
    /// The caller's access token at the identity provider they signed in
    /// with (built-in authorization server only).
    case signInToken = "sign_in_token"
    /// The caller's token exchanged for one meant for this API (RFC 8693).
    case tokenExchange = "token_exchange"
    /// Microsoft Entra's on-behalf-of flow, its counterpart of token exchange.
    case onBehalfOf = "on_behalf_of"
    /// Each user's own account at the API's service, linked once in a browser.
    case linkedAccount = "linked_account"
    /// Each user's own API key, entered once on a page of the gateway.
    case userAPIKey = "user_api_key"
}

/// The keys of `auth: { basic: … }`.
enum BasicAuthKey: String, SectionKey {
    /// The user name; must not contain `:`.
    case username
    /// The password.
    case password
}

/// The keys of `auth: { api_key: … }`.
enum APIKeyAuthKey: String, SectionKey {
    /// The header that carries the key (or ``query``, not both).
    case header
    /// The query item that carries the key (or ``header``, not both).
    case query
    /// The key itself; may use secrets.
    case value
}

/// The keys every section that makes the gateway an OAuth client shares:
/// where its token endpoint is and how it proves who it is there.
///
/// Each section's enum declares these as cases, so its allowed keys stay a
/// plain list while one reader serves them all.
protocol OAuthClientKey: SectionKey {
    /// The token endpoint (or ``issuer``, to discover it).
    static var tokenURL: Self { get }
    /// An issuer whose metadata names the endpoints.
    static var issuer: Self { get }
    static var clientID: Self { get }
    /// May use secrets; optional for public clients.
    static var clientSecret: Self { get }
    /// `client_secret_basic` (default) or `client_secret_post`.
    static var clientAuth: Self { get }
    /// Space-separated scopes asked for.
    static var scope: Self { get }
}

/// The keys of `auth: { client_credentials: … }`.
enum ClientCredentialsKey: String, OAuthClientKey {
    case tokenURL = "token_url"
    case issuer
    case clientID = "client_id"
    case clientSecret = "client_secret"
    case clientAuth = "client_auth"
    case scope
    /// The API the token is for (`audience` parameter, as Auth0 and others ask).
    case audience
    /// The API the token is for, as an RFC 8707 resource indicator.
    case resource
}

/// The keys of `auth: { token_exchange: … }`.
enum TokenExchangeKey: String, OAuthClientKey {
    case tokenURL = "token_url"
    case issuer
    case clientID = "client_id"
    case clientSecret = "client_secret"
    case clientAuth = "client_auth"
    case scope
    case audience
    case resource
    /// The token type asked for; an access token unless said otherwise.
    case requestedTokenType = "requested_token_type"
}

/// The keys of `auth: { on_behalf_of: … }`.
enum OnBehalfOfKey: String, OAuthClientKey {
    case tokenURL = "token_url"
    case issuer
    case clientID = "client_id"
    case clientSecret = "client_secret"
    case clientAuth = "client_auth"
    /// Required: Entra issues the token for the API these scopes belong to.
    case scope
}

/// The keys of `auth: { linked_account: … }`.
enum LinkedAccountKey: String, OAuthClientKey {
    case tokenURL = "token_url"
    /// Where the user's browser is sent to authorize (or ``issuer``).
    case authorizationURL = "authorization_url"
    case issuer
    case clientID = "client_id"
    case clientSecret = "client_secret"
    case clientAuth = "client_auth"
    case scope
    /// The service's name on the link page and in the request to link.
    case title
}

/// The keys of `auth: { user_api_key: … }`.
enum UserAPIKeyKey: String, SectionKey {
    /// The header that carries each user's key (or ``query``).
    case header
    /// The query item that carries each user's key (or ``header``).
    case query
    /// Written before the key in the header, e.g. `"Token "`.
    case prefix
    /// Shown on the page where users enter their key: where to create one.
    case instructions
    /// The service's name on that page and in the request to enter a key.
    case title
}
