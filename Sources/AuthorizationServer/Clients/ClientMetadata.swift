import GatehouseJSON

/// Reads client metadata, the JSON both a dynamic registration request
/// (RFC 7591) and a client ID metadata document carry, with the limits and
/// rules this server applies to either.
public struct ClientMetadata: Sendable {
    public var redirectURIs: [String]
    public var name: String?
    public var tokenEndpointAuthMethod: String
    public var grantTypes: [String]
    public var clientURI: String?
    public var logoURI: String?
    public var scope: String?

    /// RFC 7591 §3.2.2 error codes.
    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public var error: String
        public var description: String

        static func metadata(_ description: String) -> Refusal { Refusal(error: "invalid_client_metadata", description: description) }
        static func redirect(_ description: String) -> Refusal { Refusal(error: "invalid_redirect_uri", description: description) }

        public var json: JSONValue { ["error": .string(error), "error_description": .string(description)] }
    }

    public static let supportedAuthMethods = ["none", "client_secret_basic", "client_secret_post"]
    public static let supportedGrantTypes = ["authorization_code", "refresh_token"]
    public static let maximumRedirectURIs = 10

    /// - Parameter publicOnly: metadata documents describe public clients:
    ///   nobody could be given a secret for them.
    public init(_ value: JSONValue, policy: RedirectURIPolicy, publicOnly: Bool = false) throws(Refusal) {
        guard case .object(let object) = value else { throw .metadata("client metadata must be a JSON object") }
        guard case .array(let uris)? = object["redirect_uris"], !uris.isEmpty else {
            throw .redirect("redirect_uris must list at least one URI")
        }
        guard uris.count <= Self.maximumRedirectURIs else {
            throw .redirect("at most \(Self.maximumRedirectURIs) redirect URIs may be registered")
        }
        var redirectURIs: [String] = []
        for uri in uris {
            guard case .string(let text) = uri else { throw .redirect("redirect_uris must be strings") }
            do { try policy.check(text) } catch { throw .redirect(error.description) }
            redirectURIs.append(text)
        }
        self.redirectURIs = redirectURIs
        name = try Self.optionalString(object, "client_name", maximum: 200)
        clientURI = try Self.optionalString(object, "client_uri", maximum: 2000)
        logoURI = try Self.optionalString(object, "logo_uri", maximum: 2000)
        scope = try Self.optionalString(object, "scope", maximum: 2000)
        let method = try Self.optionalString(object, "token_endpoint_auth_method", maximum: 64) ?? "none"
        guard Self.supportedAuthMethods.contains(method) else {
            throw .metadata("token_endpoint_auth_method must be one of \(Self.supportedAuthMethods.joined(separator: ", "))")
        }
        guard !publicOnly || method == "none" else {
            throw .metadata("a client described by a metadata document authenticates with PKCE only (token_endpoint_auth_method none)")
        }
        tokenEndpointAuthMethod = method
        if case .array(let grants)? = object["grant_types"] {
            let names = grants.compactMap(\.stringValue)
            guard names.count == grants.count, !names.isEmpty, names.allSatisfy(Self.supportedGrantTypes.contains) else {
                throw .metadata("grant_types may only contain \(Self.supportedGrantTypes.joined(separator: " and "))")
            }
            grantTypes = names
        } else if object["grant_types"] != nil {
            throw .metadata("grant_types must be a list")
        } else {
            grantTypes = ["authorization_code", "refresh_token"]
        }
        if case .array(let types)? = object["response_types"], types != ["code"] {
            throw .metadata("response_types may only be [\"code\"]")
        }
    }

    static func optionalString(_ object: JSONObject, _ key: String, maximum: Int) throws(Refusal) -> String? {
        guard let value = object[key], value != .null else { return nil }
        guard case .string(let text) = value else { throw .metadata("\(key) must be a string") }
        guard text.utf8.count <= maximum else { throw .metadata("\(key) is longer than \(maximum) bytes") }
        return text
    }
}
