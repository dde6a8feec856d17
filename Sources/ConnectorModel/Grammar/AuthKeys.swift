/// The ways a connector authenticates to its API: the keys of `auth:`, of
/// which a file writes exactly one.
enum AuthKind: String, SectionKey {
    /// `Authorization: Bearer <token>`.
    case bearer
    /// `Authorization: Basic`, from a username and a password.
    case basic
    /// A key sent in a header or a query item (see ``APIKeyAuthKey``).
    case apiKey = "api_key"
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
