/// The gateway as a client of some token endpoint: where it is and how the
/// gateway proves who it is there (RFC 6749 §2.3.1).
public struct TokenClient: Sendable, Hashable {
    public enum Authentication: String, Sendable, Hashable {
        /// HTTP Basic with the form-encoded id and secret (the default every
        /// server must support).
        case basic = "client_secret_basic"
        /// The id and secret as form fields.
        case post = "client_secret_post"
    }

    public var tokenURL: String
    public var clientID: String
    /// Nil for a public client, which sends only its id.
    public var clientSecret: String?
    public var authentication: Authentication

    public init(tokenURL: String, clientID: String, clientSecret: String?, authentication: Authentication = .basic) {
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.authentication = authentication
    }
}
