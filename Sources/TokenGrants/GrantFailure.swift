/// Why no token came back. The description is safe to show a user: the
/// endpoint's host, the HTTP status, the OAuth error code and a cut,
/// cleaned `error_description`; never a token, secret, code or assertion.
public struct GrantFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The grant itself is no longer good (`invalid_grant`): a refresh
        /// token revoked, a subject token expired. The user has to act.
        case refused
        /// The endpoint does not accept the gateway's client.
        case rejectedClient
        /// The endpoint could not be reached or failed (5xx, timeout).
        case unreachable
        /// The answer was not a token.
        case badAnswer
    }

    public var kind: Kind
    public var description: String

    public init(kind: Kind, description: String) {
        self.kind = kind
        self.description = description
    }

    init(_ kind: Kind, _ description: String) {
        self.init(kind: kind, description: description)
    }
}
