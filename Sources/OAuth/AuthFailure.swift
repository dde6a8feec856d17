/// Why a request was not let in, in the terms of RFC 6750 so the challenge
/// tells the client what to do next.
public struct AuthFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// No token at all: the client should start the OAuth flow.
        case missingToken
        /// The request itself is malformed (RFC 6750 `invalid_request`).
        case invalidRequest = "invalid_request"
        /// The token is expired, revoked, malformed or not for us.
        case invalidToken = "invalid_token"
        /// The token is fine but lacks scopes (step-up authorization).
        case insufficientScope = "insufficient_scope"
    }

    public var kind: Kind
    /// Safe to show the client; never contains the token.
    public var description: String
    /// For `insufficientScope`: every scope the request needs.
    public var requiredScopes: [String]
    /// For metrics: a short, fixed label.
    public var reason: String

    public init(_ kind: Kind, _ description: String, reason: String, requiredScopes: [String] = []) {
        self.kind = kind
        self.description = description
        self.reason = reason
        self.requiredScopes = requiredScopes
    }

    public static func invalidToken(_ description: String, reason: String) -> AuthFailure {
        AuthFailure(.invalidToken, description, reason: reason)
    }

    public var httpStatus: Int {
        switch kind {
        case .missingToken, .invalidToken: 401
        case .invalidRequest: 400
        case .insufficientScope: 403
        }
    }
}
