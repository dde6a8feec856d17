import Foundation
import GatehouseJSON
import Logging
import OAuthTestSupport
import Testing

@testable import AuthorizationServer

/// The browser's whole path with a fake identity provider network: consent,
/// upstream sign-in, the code back at the client, the token exchange.
@Suite("Authorization flow")
struct AuthorizationFlowTests {
    static let issuer = "http://127.0.0.1:8080"
    static let resource = "http://127.0.0.1:8080/mcp"
    static let providerIssuer = "http://127.0.0.1:4593/oidc"
    static let redirect = "http://127.0.0.1:33418/callback"
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    struct Harness {
        let flow: AuthorizationFlow
        let tokens: TokenService
        let http: FakeAuthHTTP
        let key: SigningKey
        let store: SQLiteAuthStore
    }

    func withFlow(_ body: (Harness) async throws -> Void) async throws {
        let store = try await SQLiteAuthStore.open(path: ":memory:")
        try await store.migrate()
        try await store.saveClient(StoredClient(client: RegisteredClient(clientID: "c1", origin: .dynamic, name: "Test Client", redirectURIs: [Self.redirect])))
        let http = FakeAuthHTTP()
        http.serve(Self.providerIssuer + "/.well-known/openid-configuration", json: [
            "issuer": .string(Self.providerIssuer), "authorization_endpoint": .string(Self.providerIssuer + "/auth"),
            "token_endpoint": .string(Self.providerIssuer + "/token"), "jwks_uri": .string(Self.providerIssuer + "/jwks"),
        ])
        let key = try await SigningKey.es256(kid: "idp")
        http.serve(Self.providerIssuer + "/jwks", json: ["keys": [key.jwk]])
        let provider = UpstreamIdentityProvider(
            settings: .init(issuer: Self.providerIssuer, clientID: "gatehouse", clientSecret: "s", redirectURI: Self.issuer + "/oauth/callback"),
            http: http, logger: Logger(label: "test"), allowInsecure: true)
        let resolver = ClientResolver(store: store, fetcher: DocumentServer([:]), hosts: FixedHosts(table: [:]), policy: RedirectURIPolicy())
        let mapping = ScopeMapping(baseScopes: ["tickets:read"], rules: [.init(claim: "groups", values: ["support"], scopes: ["tickets:write"])])
        let vault = UpstreamTokenVault(store: store, box: try SecretBox(secret: Array(repeating: 1, count: 32)), provider: provider)
        let flow = AuthorizationFlow(
            store: store, resolver: resolver, provider: provider, scopeMapping: mapping, issuer: Self.issuer, resource: Self.resource,
            vault: vault)
        let ring = try await SigningKeyRing([.generate(now: 0)])
        let tokens = TokenService(store: store, issuer: Self.issuer, resource: Self.resource, keys: { ring })
        try await body(Harness(flow: flow, tokens: tokens, http: http, key: key, store: store))
        try await store.close()
    }

    func authorizeQuery(scope: String = "tickets:read tickets:write") -> [(name: String, value: String)] {
        [("client_id", "c1"), ("redirect_uri", Self.redirect), ("response_type", "code"), ("state", "client-state"),
         ("code_challenge", PKCE.challenge(for: verifier)), ("code_challenge_method", "S256"), ("resource", Self.resource),
         ("scope", scope)]
    }

    func query(of url: URL) -> [String: String] {
        Dictionary((URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { a, _ in a }
    }

    /// The provider's token endpoint answers with an ID token for `nonce`.
    func providerSignsIn(_ harness: Harness, nonce: String, groups: [String]) throws {
        let now = Int64(Date().timeIntervalSince1970)
        let idToken = try makeJWT([
            "iss": .string(Self.providerIssuer), "aud": "gatehouse", "sub": "ada", "email": "ada@example.com", "nonce": .string(nonce),
            "groups": .array(groups.map { .string($0) }), "iat": .int(now), "exp": .int(now + 300),
        ], key: harness.key)
        harness.http.answerPosts(
            to: Self.providerIssuer + "/token", json: ["id_token": .string(idToken), "access_token": "idp-access", "refresh_token": "idp-refresh"])
    }

    @Test func consentSignInCodeAndTokens() async throws {
        try await withFlow { harness in
            guard case .consent(let consent) = try await harness.flow.begin(query: authorizeQuery()) else {
                Issue.record("expected the consent page")
                return
            }
            #expect(consent.clientName == "Test Client" && consent.redirectHost == "127.0.0.1" && consent.redirectIsLoopback)
            guard case .redirect(let upstream) = try await harness.flow.decide(pendingID: consent.pendingID, csrfToken: consent.csrfToken, approve: true) else {
                Issue.record("expected a redirect to the identity provider")
                return
            }
            let upstreamQuery = query(of: upstream)
            #expect(upstream.absoluteString.hasPrefix(Self.providerIssuer + "/auth?"))
            try providerSignsIn(harness, nonce: try #require(upstreamQuery["nonce"]), groups: ["support"])
            guard case .redirect(let back) = try await harness.flow.callback(state: upstreamQuery["state"], code: "idp-code", error: nil) else {
                Issue.record("expected the redirect back to the client")
                return
            }
            let answer = query(of: back)
            #expect(back.absoluteString.hasPrefix(Self.redirect + "?"))
            #expect(answer["state"] == "client-state" && answer["iss"] == Self.issuer)
            let code = try #require(answer["code"])
            let tokens = try await harness.tokens.handle(
                form: ["grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": Self.redirect, "client_id": "c1"],
                credentials: nil)
            #expect(tokens["scope"] == "tickets:read tickets:write")
            // The provider's own tokens are kept, sealed, for later per-user calls.
            let vault = UpstreamTokenVault(store: harness.store, box: try SecretBox(secret: Array(repeating: 1, count: 32)), provider: harness.flow.provider)
            #expect(try await vault.tokens(for: "ada")?.refreshToken == "idp-refresh")
            // A second callback with the same state finds nothing.
            guard case .page = try await harness.flow.callback(state: upstreamQuery["state"], code: "idp-code", error: nil) else {
                Issue.record("a replayed callback must not produce a second code")
                return
            }
        }
    }

    @Test func scopesAreCutToWhatTheUserMayHave() async throws {
        try await withFlow { harness in
            guard case .consent(let consent) = try await harness.flow.begin(query: authorizeQuery()),
                case .redirect(let upstream) = try await harness.flow.decide(pendingID: consent.pendingID, csrfToken: consent.csrfToken, approve: true)
            else { Issue.record("flow did not start"); return }
            let upstreamQuery = query(of: upstream)
            try providerSignsIn(harness, nonce: try #require(upstreamQuery["nonce"]), groups: ["sales"])
            guard case .redirect(let back) = try await harness.flow.callback(state: upstreamQuery["state"], code: "c", error: nil) else { return }
            let code = try #require(query(of: back)["code"])
            let tokens = try await harness.tokens.handle(
                form: ["grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": Self.redirect, "client_id": "c1"],
                credentials: nil)
            #expect(tokens["scope"] == "tickets:read")
        }
    }

    @Test func declinedConsentReachesTheClientAsAccessDenied() async throws {
        try await withFlow { harness in
            guard case .consent(let consent) = try await harness.flow.begin(query: authorizeQuery()),
                case .redirect(let back) = try await harness.flow.decide(pendingID: consent.pendingID, csrfToken: consent.csrfToken, approve: false)
            else { Issue.record("expected a redirect"); return }
            let answer = query(of: back)
            #expect(answer["error"] == "access_denied" && answer["state"] == "client-state" && answer["iss"] == Self.issuer)
        }
    }

    @Test func aConsentPostWithoutTheCSRFTokenDoesNothing() async throws {
        try await withFlow { harness in
            guard case .consent(let consent) = try await harness.flow.begin(query: authorizeQuery()) else { return }
            #expect(try await harness.flow.decide(pendingID: consent.pendingID, csrfToken: nil, approve: true) == .page(status: 403, message: "The consent form could not be verified. Start again from the application."))
            guard case .page(let status, _) = try await harness.flow.decide(pendingID: consent.pendingID, csrfToken: "forged", approve: true) else {
                Issue.record("a forged token must not approve"); return
            }
            #expect(status == 403)
            // The real token still works: the forged attempts changed nothing.
            guard case .redirect = try await harness.flow.decide(pendingID: consent.pendingID, csrfToken: consent.csrfToken, approve: true) else {
                Issue.record("the genuine consent must still work"); return
            }
        }
    }

    @Test func aProviderErrorIsPassedToTheClient() async throws {
        try await withFlow { harness in
            guard case .consent(let consent) = try await harness.flow.begin(query: authorizeQuery()),
                case .redirect(let upstream) = try await harness.flow.decide(pendingID: consent.pendingID, csrfToken: consent.csrfToken, approve: true),
                case .redirect(let back) = try await harness.flow.callback(state: query(of: upstream)["state"], code: nil, error: "access_denied")
            else { Issue.record("expected redirects"); return }
            #expect(query(of: back)["error"] == "access_denied")
        }
    }
}
