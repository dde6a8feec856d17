import GatehouseJSON

/// An RFC 6749 §5.2 error: what the token, registration and revocation
/// endpoints answer when they refuse, with the HTTP status that goes with it.
public struct OAuthError: Error, Equatable, CustomStringConvertible {
    public var code: String
    public var description: String
    public var status: Int

    public init(_ code: String, _ description: String, status: Int = 400) {
        self.code = code
        self.description = description
        self.status = status
    }

    public static func invalidRequest(_ description: String) -> OAuthError { OAuthError("invalid_request", description) }
    public static func invalidGrant(_ description: String) -> OAuthError { OAuthError("invalid_grant", description) }
    /// 401: Claude registers again when it sees this for its client id.
    public static func invalidClient(_ description: String) -> OAuthError { OAuthError("invalid_client", description, status: 401) }
    public static func unsupportedGrantType(_ grantType: String) -> OAuthError {
        OAuthError("unsupported_grant_type", "grant_type \(grantType) is not supported; use authorization_code or refresh_token")
    }
    public static func invalidTarget(_ description: String) -> OAuthError { OAuthError("invalid_target", description) }

    public var json: JSONValue { ["error": .string(code), "error_description": .string(description)] }
}
