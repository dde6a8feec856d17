import Caller
import GatehouseJSON
import HTTPTypes

/// The MCP endpoint's side of OAuth: who may call it, and what a client that
/// may not is told so it can sign in (RFC 9728 metadata, RFC 6750 challenges).
public struct ResourceServer: Sendable {
    public let settings: AuthSettings
    /// The exact public URL of the MCP endpoint, e.g. `https://mcp.example.com/mcp`.
    public let resource: String
    /// Where this server's protected resource metadata is served.
    public let metadataURL: String
    /// Every scope some tool or the endpoint needs, for `scopes_supported`.
    public let scopesSupported: @Sendable () -> [String]
    let verifier: any TokenVerifier
    /// The audiences a token must name to be used here; the settings'
    /// audiences unless this is one of several endpoints.
    public let audiences: [String]
    /// Shown to people in metadata.
    public let resourceName: String

    public init(
        settings: AuthSettings, resource: String, verifier: any TokenVerifier, audiences: [String]? = nil,
        resourceName: String = "Gatehouse MCP server", scopesSupported: @escaping @Sendable () -> [String]
    ) {
        self.settings = settings
        self.resource = resource
        self.audiences = audiences ?? settings.audiences
        self.resourceName = resourceName
        self.verifier = verifier
        self.scopesSupported = scopesSupported
        self.metadataURL = Self.metadataURL(for: resource)
    }

    /// RFC 9728: `/.well-known/oauth-protected-resource` inserted before the
    /// resource's path.
    static func metadataURL(for resource: String) -> String {
        guard let schemeEnd = resource.range(of: "://") else { return resource }
        let rest = resource[schemeEnd.upperBound...]
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        return String(resource[..<slash]) + "/.well-known/oauth-protected-resource" + String(rest[slash...])
    }

    /// Checks the `Authorization` header (and that no token hides in the
    /// query string) and returns the caller.
    public func authenticate(headers: HTTPFields, query: String?) async throws(AuthFailure) -> CallerIdentity {
        if let query, Self.queryCarriesToken(query) {
            throw AuthFailure(.invalidRequest, "access tokens are not accepted in the query string", reason: "token_in_query")
        }
        let values = headers[values: .authorization]
        guard !values.isEmpty else {
            throw AuthFailure(.missingToken, "an access token is required", reason: "missing")
        }
        guard values.count == 1 else {
            throw AuthFailure(.invalidRequest, "send exactly one Authorization header", reason: "malformed_header")
        }
        let token = try Self.bearerToken(in: values[0])
        var caller = try await verifier.verify(token)
        // The verifier accepts every endpoint's audience; this endpoint
        // takes only tokens meant for it (RFC 8707).
        if let tokenAudiences = caller.audiences, !tokenAudiences.contains(where: audiences.contains) {
            throw .invalidToken("the access token is not meant for this endpoint (audience)", reason: "audience")
        }
        caller.presentedToken = PresentedToken(token)
        let missing = settings.requiredScopes.filter { !caller.scopes.contains($0) }
        guard missing.isEmpty else {
            throw AuthFailure(
                .insufficientScope, "the access token lacks the scopes this server needs", reason: "insufficient_scope",
                requiredScopes: settings.requiredScopes)
        }
        return caller
    }

    /// The longest bearer token accepted: it arrives on every request, and
    /// the built-in authorization server keeps its own tokens below it.
    public static let maximumTokenBytes = 16 * 1024

    /// The token of a `Bearer <token>` header value (RFC 6750 §2.1), read
    /// byte by byte: it runs on every request.
    static func bearerToken(in value: String) throws(AuthFailure) -> String {
        var value = value
        // Read on the header's contiguous bytes: a token of a kilobyte is
        // checked on every request.
        let token = value.withUTF8 { bytes -> Result<String, AuthFailure> in
            let scheme = "bearer".utf8
            guard bytes.count > scheme.count + 1, zip(bytes, scheme).allSatisfy({ $0 | 0x20 == $1 }),
                bytes[scheme.count] == UInt8(ascii: " ")
            else {
                return .failure(AuthFailure(.invalidRequest, "the Authorization header must be 'Bearer <token>'", reason: "malformed_header"))
            }
            var start = scheme.count + 1
            var end = bytes.count
            while start < end, bytes[start] == UInt8(ascii: " ") { start += 1 }
            while end > start, bytes[end - 1] == UInt8(ascii: " ") { end -= 1 }
            let token = UnsafeBufferPointer(rebasing: bytes[start..<end])
            guard !token.isEmpty, token.count <= maximumTokenBytes,
                token.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ",") })
            else {
                return .failure(
                    AuthFailure(.invalidRequest, "the bearer access token is malformed or larger than 16 KiB", reason: "malformed_header"))
            }
            return .success(String(decoding: token, as: UTF8.self))
        }
        return try token.get()
    }

    static func queryCarriesToken(_ query: String) -> Bool {
        query.split(separator: "&").contains { $0.hasPrefix("access_token=") || $0 == "access_token" }
    }

    /// The `WWW-Authenticate` value for a refusal.
    ///
    /// A client without a valid token is asked for every scope some tool
    /// needs: the authorization server grants each user what they may have,
    /// so one sign-in covers all the tools that user can use. A refusal for
    /// lack of scopes names exactly what the request needs (step-up).
    public func challenge(for failure: AuthFailure) -> String {
        var parts = ["Bearer resource_metadata=\"\(metadataURL)\""]
        let scopes = failure.kind == .insufficientScope ? failure.requiredScopes : scopesSupported()
        if !scopes.isEmpty { parts.append("scope=\"\(scopes.joined(separator: " "))\"") }
        if failure.kind != .missingToken {
            parts.append("error=\"\(failure.kind.rawValue)\"")
            parts.append("error_description=\"\(failure.description.replacingOccurrences(of: "\"", with: "'"))\"")
        }
        return parts.joined(separator: ", ")
    }

    /// The scopes a request for a tool with `toolScopes` needs in all.
    public func scopes(forTool toolScopes: [String]) -> [String] {
        var all = settings.requiredScopes
        for scope in toolScopes where !all.contains(scope) { all.append(scope) }
        return all
    }

    /// RFC 9728 Protected Resource Metadata.
    public var metadata: JSONValue {
        var object: JSONObject = [
            "resource": .string(resource),
            "authorization_servers": .array(settings.issuers.map { .string($0.issuer) }),
            "bearer_methods_supported": ["header"],
        ]
        let scopes = scopesSupported()
        if !scopes.isEmpty { object["scopes_supported"] = .array(scopes.map(JSONValue.string)) }
        object["resource_name"] = .string(resourceName)
        return .object(object)
    }
}
