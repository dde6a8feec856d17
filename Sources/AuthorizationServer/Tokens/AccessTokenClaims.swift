import GatehouseJSON

/// What an access token says: the same claims an external identity
/// provider's token carries, so the resource server checks both alike and
/// the `{{ user.* }}` placeholders find the same fields.
public struct AccessTokenClaims: Sendable {
    public var issuer: String
    public var subject: String
    /// The MCP endpoint's URL (RFC 8707 resource).
    public var audience: String
    public var clientID: String
    public var scopes: [String]
    public var issuedAt: Int64
    public var lifetime: Int64
    /// Copied from the upstream identity: `email`, `name`,
    /// `preferred_username`, `groups` and the like.
    public var userClaims: JSONObject

    public init(
        issuer: String, subject: String, audience: String, clientID: String, scopes: [String], issuedAt: Int64,
        lifetime: Int64, userClaims: JSONObject? = nil
    ) {
        self.issuer = issuer
        self.subject = subject
        self.audience = audience
        self.clientID = clientID
        self.scopes = scopes
        self.issuedAt = issuedAt
        self.lifetime = lifetime
        self.userClaims = userClaims ?? [:]
    }

    static let registered: Set<String> = ["iss", "sub", "aud", "exp", "iat", "nbf", "jti", "scope", "client_id"]

    public var json: JSONObject {
        var claims: JSONObject = [:]
        for (key, value) in userClaims where !Self.registered.contains(key) { claims[key] = value }
        claims["iss"] = .string(issuer)
        claims["sub"] = .string(subject)
        claims["aud"] = .string(audience)
        claims["client_id"] = .string(clientID)
        claims["scope"] = .string(scopes.joined(separator: " "))
        claims["iat"] = .int(issuedAt)
        claims["nbf"] = .int(issuedAt)
        claims["exp"] = .int(issuedAt + lifetime)
        claims["jti"] = .string(OpaqueToken.generate(bytes: 16))
        return claims
    }
}
