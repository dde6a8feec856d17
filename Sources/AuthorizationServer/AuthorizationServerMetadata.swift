import GatehouseJSON

/// The RFC 8414 document that tells clients where this server's endpoints
/// are and what it supports. Clients refuse servers that do not list S256,
/// and Claude uses metadata documents only when `none` is listed too.
public struct AuthorizationServerMetadata: Sendable {
    public var issuer: String
    public var scopes: [String]

    public init(issuer: String, scopes: [String]) {
        self.issuer = issuer
        self.scopes = scopes
    }

    public var json: JSONValue {
        [
            "issuer": .string(issuer),
            "authorization_endpoint": .string(issuer + "/authorize"),
            "token_endpoint": .string(issuer + "/token"),
            "registration_endpoint": .string(issuer + "/register"),
            "revocation_endpoint": .string(issuer + "/revoke"),
            "jwks_uri": .string(issuer + "/jwks.json"),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
            "revocation_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
            "scopes_supported": .array(scopes.map { .string($0) }),
            "client_id_metadata_document_supported": true,
            "authorization_response_iss_parameter_supported": true,
        ]
    }
}
