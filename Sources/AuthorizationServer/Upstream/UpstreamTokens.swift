import GatehouseJSON

/// What the identity provider handed over at sign-in or refresh, kept so
/// tools can later call APIs as the user with the provider's own tokens.
public struct UpstreamTokens: Sendable, Equatable {
    public var accessToken: String
    public var refreshToken: String?
    /// Seconds since 1970; nil when the provider did not say.
    public var expiresAt: Int64?
    public var scope: String?

    public init(accessToken: String, refreshToken: String? = nil, expiresAt: Int64? = nil, scope: String? = nil) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.scope = scope
    }

    /// From a token endpoint answer; nil without an access token.
    /// A refresh answer without a new refresh token keeps the old one.
    init?(answer: JSONValue, now: Int64, previousRefreshToken: String? = nil) {
        guard let access = answer["access_token"]?.stringValue, !access.isEmpty else { return nil }
        accessToken = access
        refreshToken = answer["refresh_token"]?.stringValue ?? previousRefreshToken
        expiresAt = answer["expires_in"]?.integerValue.map { now + $0 }
        scope = answer["scope"]?.stringValue
    }

    var json: JSONValue {
        var object: JSONObject = ["access_token": .string(accessToken)]
        if let refreshToken { object["refresh_token"] = .string(refreshToken) }
        if let expiresAt { object["expires_at"] = .int(expiresAt) }
        if let scope { object["scope"] = .string(scope) }
        return .object(object)
    }

    init?(json: JSONValue) {
        guard let access = json["access_token"]?.stringValue else { return nil }
        accessToken = access
        refreshToken = json["refresh_token"]?.stringValue
        expiresAt = json["expires_at"]?.integerValue
        scope = json["scope"]?.stringValue
    }
}
