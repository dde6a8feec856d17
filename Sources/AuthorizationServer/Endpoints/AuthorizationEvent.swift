/// Something the authorization server decided, for the audit log: every
/// grant, refresh, revocation and refusal. Never carries a token, code or
/// secret, only who and what.
public struct AuthorizationEvent: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// A code was exchanged: a new grant with its first tokens.
        case granted = "grant"
        case refreshed = "refresh"
        case revoked = "revocation"
        case refused = "refusal"
        case registered = "registration"
        case consented = "consent"
        /// A user linked an account or stored a personal key for a connector.
        case linked = "link"
        /// A user or an operator removed one.
        case unlinked = "unlink"
    }

    public var kind: Kind
    public var clientID: String?
    public var subject: String?
    public var scopes: [String]
    /// Why, for refusals and revocations: an RFC 6749 error code or a
    /// short phrase.
    public var reason: String?

    public init(_ kind: Kind, clientID: String?, subject: String? = nil, scopes: [String] = [], reason: String? = nil) {
        self.kind = kind
        self.clientID = clientID
        self.subject = subject
        self.scopes = scopes
        self.reason = reason
    }
}

/// Where ``AuthorizationEvent``s go; the gateway writes them as audit lines.
public protocol AuthorizationEventSink: Sendable {
    func record(_ event: AuthorizationEvent)
}

/// For tests and tools that do not audit.
public struct DiscardingEventSink: AuthorizationEventSink {
    public init() {}
    public func record(_ event: AuthorizationEvent) {}
}
