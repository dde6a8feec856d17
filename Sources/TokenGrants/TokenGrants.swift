import Foundation
import GatehouseJSON
import OAuth

/// The grants the gateway uses as an OAuth client to get tokens for
/// upstream APIs: client credentials, token exchange (RFC 8693), Entra's
/// on-behalf-of, refresh and the authorization code of a linked account.
///
/// Each is one form POST to a token endpoint; what differs is the form.
/// Answers and errors are read the same way for all of them, and no error
/// text ever repeats what was sent.
public struct TokenGrants: Sendable {
    let http: any AuthHTTPClient
    let now: @Sendable () -> ContinuousClock.Instant

    public init(http: any AuthHTTPClient, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.http = http
        self.now = now
    }

    public static let tokenExchangeGrant = "urn:ietf:params:oauth:grant-type:token-exchange"
    public static let jwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
    /// The most of an answer read: tokens are small, an endless body is not.
    static let maximumAnswerBytes = 64 * 1024

    /// RFC 6749 §4.4: a token for the gateway itself.
    public func clientCredentials(_ client: TokenClient, scope: String?, audience: String?, resource: String?)
        async throws(GrantFailure) -> IssuedToken
    {
        var form = [("grant_type", "client_credentials")]
        form.append(optional: "scope", scope)
        form.append(optional: "audience", audience)
        form.append(optional: "resource", resource)
        return try await request(client, form)
    }

    /// RFC 8693 §2.1: the user's token exchanged for one meant for an API.
    public func exchange(
        _ client: TokenClient, subjectToken: String, subjectTokenType: String, audience: String?, resource: String?, scope: String?,
        requestedTokenType: String?
    ) async throws(GrantFailure) -> IssuedToken {
        var form = [("grant_type", Self.tokenExchangeGrant), ("subject_token", subjectToken), ("subject_token_type", subjectTokenType)]
        form.append(optional: "audience", audience)
        form.append(optional: "resource", resource)
        form.append(optional: "scope", scope)
        form.append(optional: "requested_token_type", requestedTokenType)
        return try await request(client, form)
    }

    /// Microsoft Entra's on-behalf-of flow: the jwt-bearer grant with the
    /// user's token as the assertion.
    public func onBehalfOf(_ client: TokenClient, assertion: String, scope: String) async throws(GrantFailure) -> IssuedToken {
        try await request(
            client,
            [
                ("grant_type", Self.jwtBearerGrant), ("assertion", assertion), ("scope", scope),
                ("requested_token_use", "on_behalf_of"),
            ])
    }

    /// RFC 6749 §6. A server that does not rotate refresh tokens sends none
    /// back; the one used stays good then.
    public func refresh(_ client: TokenClient, refreshToken: String, scope: String?) async throws(GrantFailure) -> IssuedToken {
        var form = [("grant_type", "refresh_token"), ("refresh_token", refreshToken)]
        form.append(optional: "scope", scope)
        var token = try await request(client, form)
        if token.refreshToken == nil { token.refreshToken = refreshToken }
        return token
    }

    /// RFC 6749 §4.1.3 with the PKCE verifier (RFC 7636).
    public func authorizationCode(_ client: TokenClient, code: String, redirectURI: String, codeVerifier: String)
        async throws(GrantFailure) -> IssuedToken
    {
        try await request(
            client,
            [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", codeVerifier)])
    }

    func request(_ client: TokenClient, _ form: [(String, String)]) async throws(GrantFailure) -> IssuedToken {
        var form = form
        var basic: (user: String, password: String)?
        switch (client.authentication, client.clientSecret) {
        case (.basic, let secret?): basic = (client.clientID, secret)
        case (.post, let secret?):
            form.append(("client_id", client.clientID))
            form.append(("client_secret", secret))
        case (_, nil): form.append(("client_id", client.clientID))
        }
        let endpoint = Self.host(of: client.tokenURL)
        let answer: (status: Int, body: [UInt8])
        do {
            answer = try await http.postForm(client.tokenURL, form: form, basicAuth: basic)
        } catch {
            throw GrantFailure(.unreachable, "the token endpoint at \(endpoint) could not be reached")
        }
        guard answer.body.count <= Self.maximumAnswerBytes else {
            throw GrantFailure(.badAnswer, "the token endpoint at \(endpoint) sent an answer too large to be a token")
        }
        let json = try? JSONParser.parse(answer.body)
        if answer.status == 200, let json {
            do {
                return try IssuedToken(answer: json, now: now())
            } catch {
                throw GrantFailure(error.kind, "the token endpoint at \(endpoint) answered without a usable token: \(error.description)")
            }
        }
        let sent = form.filter { Self.credentialFields.contains($0.0) }.map(\.1) + [client.clientSecret].compactMap { $0 }
        throw Self.failure(status: answer.status, json: json, endpoint: endpoint, sent: sent)
    }

    /// Form fields that carry a credential: an endpoint that quotes one back
    /// in its error text must not get it into a tool error or a log.
    static let credentialFields: Set<String> = [
        "subject_token", "actor_token", "assertion", "refresh_token", "code", "code_verifier", "client_secret",
    ]

    /// RFC 6749 §5.2 errors, sorted by what the gateway can do about them.
    static func failure(status: Int, json: JSONValue?, endpoint: String, sent: [String] = []) -> GrantFailure {
        let code = json?["error"]?.stringValue.map { clean(redact($0, sent), limit: 64) }
        var text = "the token endpoint at \(endpoint) answered \(status)"
        if let code {
            text += " (\(code)" + (json?["error_description"]?.stringValue.map { ": " + clean(redact($0, sent), limit: 200) } ?? "") + ")"
        }
        switch (status, code) {
        case (500..., _): return GrantFailure(.unreachable, text)
        case (_, "invalid_grant"?): return GrantFailure(.refused, text)
        case (_, "invalid_client"?), (_, "unauthorized_client"?): return GrantFailure(.rejectedClient, text)
        // Servers that refuse a grant without saying why (a revoked refresh
        // token, a grant the client may no longer use) are taken at their word.
        case (400...403, nil): return GrantFailure(.refused, text)
        default: return GrantFailure(.badAnswer, text)
        }
    }

    /// Every credential that was sent replaced, before the text is cut (a cut
    /// could otherwise leave a recognisable prefix of one).
    static func redact(_ text: String, _ sent: [String]) -> String {
        sent.filter { $0.count >= 4 }.reduce(text) { $0.replacingOccurrences(of: $1, with: "[redacted]") }
    }

    /// Printable ASCII only, cut: an error description is the endpoint's
    /// text and goes into a tool error.
    static func clean(_ text: String, limit: Int) -> String {
        var out = String(String.UnicodeScalarView(text.unicodeScalars.lazy.filter { (0x20...0x7e).contains($0.value) }.prefix(limit)))
        if text.unicodeScalars.count > limit { out += "…" }
        return out
    }

    static func host(of url: String) -> String {
        URLComponents(string: url)?.host ?? "the configured URL"
    }
}

extension Array where Element == (String, String) {
    fileprivate mutating func append(optional name: String, _ value: String?) {
        if let value, !value.isEmpty { append((name, value)) }
    }
}
