import GatehouseJSON

/// A client this server knows: registered dynamically, described by a
/// metadata document at its URL, or listed by the operator.
public struct RegisteredClient: Sendable, Equatable {
    public enum Origin: String, Sendable {
        case dynamic
        case metadataDocument = "metadata_document"
        case `static`
    }

    public var clientID: String
    public var origin: Origin
    public var name: String?
    public var redirectURIs: [String]
    /// `none` for public clients (PKCE only), or how a confidential client
    /// authenticates at the token endpoint.
    public var tokenEndpointAuthMethod: String
    public var grantTypes: [String]
    public var clientURI: String?
    public var logoURI: String?
    public var scope: String?
    public var issuedAt: Int64?

    public init(
        clientID: String, origin: Origin, name: String? = nil, redirectURIs: [String], tokenEndpointAuthMethod: String = "none",
        grantTypes: [String] = ["authorization_code", "refresh_token"], clientURI: String? = nil, logoURI: String? = nil,
        scope: String? = nil, issuedAt: Int64? = nil
    ) {
        self.clientID = clientID
        self.origin = origin
        self.name = name
        self.redirectURIs = redirectURIs
        self.tokenEndpointAuthMethod = tokenEndpointAuthMethod
        self.grantTypes = grantTypes
        self.clientURI = clientURI
        self.logoURI = logoURI
        self.scope = scope
        self.issuedAt = issuedAt
    }

    public var isPublic: Bool { tokenEndpointAuthMethod == "none" }

    /// The RFC 7591 registration response. Absent fields are left out, not
    /// sent as `null`: some clients reject nulls.
    public func registrationResponse(clientSecret: String? = nil) -> JSONValue {
        var object: JSONObject = ["client_id": .string(clientID)]
        if let clientSecret {
            object["client_secret"] = .string(clientSecret)
            object["client_secret_expires_at"] = 0
        }
        if let issuedAt { object["client_id_issued_at"] = .int(issuedAt) }
        if let name { object["client_name"] = .string(name) }
        object["redirect_uris"] = .array(redirectURIs.map { .string($0) })
        object["token_endpoint_auth_method"] = .string(tokenEndpointAuthMethod)
        object["grant_types"] = .array(grantTypes.map { .string($0) })
        object["response_types"] = ["code"]
        if let clientURI { object["client_uri"] = .string(clientURI) }
        if let logoURI { object["logo_uri"] = .string(logoURI) }
        if let scope { object["scope"] = .string(scope) }
        return .object(object)
    }
}
