import OAuth
import Foundation

/// A validated `/authorize` request. Validation runs in the order RFC 6749
/// §4.1.2.1 asks: until the client and its redirect URI are known good,
/// errors are shown to the person (never redirected, or this server would be
/// an open redirector); after that, errors go back to the client's redirect
/// URI with `state` and `iss`.
public struct AuthorizationRequest: Sendable, Equatable {
    public var client: RegisteredClient
    public var redirectURI: String
    public var state: String?
    public var codeChallenge: String
    public var resource: String
    public var scopes: [String]

    public enum Refusal: Error, Equatable {
        /// Shown as a page: the client or its redirect URI cannot be trusted.
        case page(String)
        /// Sent back to the client's redirect URI.
        case redirect(URL)
    }

    /// - Parameters:
    ///   - query: the request's query items (the last value of a name wins
    ///     nowhere: a repeated parameter is an error, RFC 6749 §3.1).
    ///   - resource: the MCP endpoint's URL, the resource of a request that
    ///     names none.
    ///   - otherResources: the extra endpoints' URLs, also served.
    public static func validate(
        query: [(name: String, value: String)], issuer: String, resource: String, otherResources: AudienceSet? = nil,
        resolver: ClientResolver
    ) async throws(Refusal) -> AuthorizationRequest {
        var parameters: [String: String] = [:]
        var repeated: String?
        for item in query {
            if parameters[item.name] != nil { repeated = item.name }
            parameters[item.name] = item.value
        }
        guard let clientID = parameters["client_id"], !clientID.isEmpty else { throw .page("The request names no client (client_id is missing).") }
        let client: RegisteredClient
        do { client = try await resolver.client(id: clientID) } catch {
            throw .page("The application could not be identified: \(error.description).")
        }
        guard let redirectURI = parameters["redirect_uri"] else {
            throw .page("The request has no redirect_uri; it must name one of the application's registered redirect URIs.")
        }
        guard client.redirectURIs.contains(redirectURI), let redirect = URL(string: redirectURI) else {
            throw .page("The redirect URI \(redirectURI) is not registered for this application.")
        }
        let state = parameters["state"]
        func refuse(_ error: String, _ description: String) -> Refusal {
            .redirect(Self.errorRedirect(redirect, error: error, description: description, state: state, issuer: issuer))
        }
        if let repeated { throw refuse("invalid_request", "\(repeated) is given more than once") }
        guard parameters["response_type"] == "code" else {
            throw refuse("unsupported_response_type", "only response_type=code is supported")
        }
        guard let challenge = parameters["code_challenge"] else { throw refuse("invalid_request", "PKCE is required: code_challenge is missing") }
        guard parameters["code_challenge_method"] == "S256" else {
            throw refuse("invalid_request", "code_challenge_method must be S256")
        }
        guard PKCE.isValidChallenge(challenge) else { throw refuse("invalid_request", "code_challenge is not a valid S256 challenge") }
        if let requested = parameters["resource"], requested != resource, otherResources?.contains(requested) != true {
            throw refuse("invalid_target", "this server issues tokens only for \(resource) and its other endpoints")
        }
        let scopes = (parameters["scope"] ?? "").split(separator: " ").map(String.init)
        return AuthorizationRequest(
            client: client, redirectURI: redirectURI, state: state, codeChallenge: challenge, resource: parameters["resource"] ?? resource,
            scopes: scopes)
    }

    /// The client's redirect URI with the answer added to its query: `code`
    /// or `error`, then `state` when the client sent one, and `iss`
    /// (RFC 9207) so the client can tell which server answered.
    public static func redirect(_ base: URL, adding items: [URLQueryItem], state: String?, issuer: String) -> URL {
        var components = URLComponents(url: base, resolvingAgainstBaseURL: false) ?? URLComponents()
        var added = items
        if let state { added.append(URLQueryItem(name: "state", value: state)) }
        added.append(URLQueryItem(name: "iss", value: issuer))
        components.appendQueryItems(added)
        return components.url ?? base
    }

    public static func errorRedirect(_ base: URL, error: String, description: String, state: String?, issuer: String) -> URL {
        redirect(
            base, adding: [URLQueryItem(name: "error", value: error), URLQueryItem(name: "error_description", value: description)],
            state: state, issuer: issuer)
    }
}
