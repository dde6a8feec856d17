import Foundation
import GatehouseJSON
import Logging
import OAuthTestSupport
import Testing

@testable import AuthorizationServer

/// The sign-in behind this server, against a fake provider network serving
/// discovery, keys and a token endpoint.
@Suite("Upstream identity provider")
struct UpstreamIdentityProviderTests {
    static let issuer = "http://127.0.0.1:4593/api/oidc"
    static let settings = UpstreamIdentityProvider.Settings(
        issuer: issuer, clientID: "gatehouse", clientSecret: "provider-secret", redirectURI: "http://127.0.0.1:8080/oauth/callback")
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    func provider(idTokenClaims: JSONObject? = nil, status: Int = 200) async throws -> (UpstreamIdentityProvider, FakeAuthHTTP) {
        let key = try await SigningKey.es256(kid: "provider-key")
        let http = FakeAuthHTTP()
        let discovery: JSONValue = [
            "issuer": .string(Self.issuer), "authorization_endpoint": .string(Self.issuer + "/auth"),
            "token_endpoint": .string(Self.issuer + "/token"), "jwks_uri": .string(Self.issuer + "/jwks"),
        ]
        http.serve(Self.issuer + "/.well-known/openid-configuration", json: discovery)
        http.serve(Self.issuer + "/jwks", json: ["keys": [key.jwk]])
        let now = Int64(Date().timeIntervalSince1970)
        let claims = idTokenClaims ?? [
            "iss": .string(Self.issuer), "aud": "gatehouse", "sub": "ada", "email": "ada@example.com", "nonce": "n-1",
            "groups": ["support"], "iat": .int(now), "exp": .int(now + 300),
        ]
        http.answerPosts(
            to: Self.issuer + "/token",
            json: [
                "id_token": .string(try makeJWT(claims, key: key)), "token_type": "Bearer", "access_token": "idp-access",
                "refresh_token": "idp-refresh", "expires_in": 3600,
            ],
            status: status)
        return (UpstreamIdentityProvider(settings: Self.settings, http: http, logger: Logger(label: "test"), allowInsecure: true), http)
    }

    @Test func signInURLCarriesPKCEAndNonce() async throws {
        let (provider, _) = try await provider()
        let endpoints = try await provider.endpoints()
        let url = try #require(provider.signInURL(endpoints: endpoints, state: "st", nonce: "n-1", codeVerifier: verifier))
        let items = Dictionary(uniqueKeysWithValues: (URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(url.absoluteString.hasPrefix(Self.issuer + "/auth?"))
        #expect(items["code_challenge"] == PKCE.challenge(for: verifier) && items["code_challenge_method"] == "S256")
        #expect(items["nonce"] == "n-1" && items["state"] == "st" && items["client_id"] == "gatehouse")
        #expect(items["redirect_uri"] == "http://127.0.0.1:8080/oauth/callback" && items["scope"] == "openid email profile")
    }

    @Test func aVerifiedSignIn() async throws {
        let (provider, http) = try await provider()
        let signIn = try await provider.signIn(
            endpoints: try await provider.endpoints(), code: "c", codeVerifier: verifier, nonce: "n-1", now: 1_000)
        let caller = signIn.caller
        #expect(caller.subject == "ada" && caller.email == "ada@example.com" && caller.claims["groups"] == ["support"])
        #expect(signIn.tokens == UpstreamTokens(accessToken: "idp-access", refreshToken: "idp-refresh", expiresAt: 4_600))
        let post = try #require(http.posts.first)
        #expect(post.field("code_verifier") == verifier && post.user == "gatehouse" && post.password == "provider-secret")
    }

    @Test func discoveryIsReadOnceForManySignIns() async throws {
        let (provider, http) = try await provider()
        let first = try await provider.endpoints()
        let second = try await provider.endpoints()
        #expect(first == second)
        #expect(http.getCount(Self.issuer + "/.well-known/openid-configuration") == 1)
    }

    @Test func aFailedDiscoveryIsNotRemembered() async throws {
        let (provider, http) = try await provider()
        http.remove(Self.issuer + "/.well-known/openid-configuration")
        await #expect(throws: UpstreamIdentityProvider.Failure.self) { _ = try await provider.endpoints() }
        http.serve(Self.issuer + "/.well-known/openid-configuration", json: [
            "issuer": .string(Self.issuer), "authorization_endpoint": .string(Self.issuer + "/auth"),
            "token_endpoint": .string(Self.issuer + "/token"),
        ])
        #expect(try await provider.endpoints().token == Self.issuer + "/token", "the provider is asked again once it is back")
    }

    @Test func aWrongNonceIsRefused() async throws {
        let (provider, _) = try await provider()
        await #expect(throws: UpstreamIdentityProvider.Failure.self) {
            _ = try await provider.signIn(endpoints: try await provider.endpoints(), code: "c", codeVerifier: verifier, nonce: "other")
        }
    }

    @Test(arguments: ["aud", "iss", "exp"])
    func badIDTokenClaimsAreRefused(claim: String) async throws {
        let now = Int64(Date().timeIntervalSince1970)
        var claims: JSONObject = [
            "iss": .string(Self.issuer), "aud": "gatehouse", "sub": "ada", "nonce": "n-1", "iat": .int(now), "exp": .int(now + 300),
        ]
        switch claim {
        case "aud": claims["aud"] = "someone-else"
        case "iss": claims["iss"] = "http://127.0.0.1:1/other"
        default: claims["exp"] = .int(now - 600)
        }
        let (provider, _) = try await provider(idTokenClaims: claims)
        await #expect(throws: UpstreamIdentityProvider.Failure.self) {
            _ = try await provider.signIn(endpoints: try await provider.endpoints(), code: "c", codeVerifier: verifier, nonce: "n-1")
        }
    }

    @Test func aRefusedSignInIsAFailure() async throws {
        let (provider, _) = try await provider(status: 400)
        await #expect(throws: UpstreamIdentityProvider.Failure.self) {
            _ = try await provider.signIn(endpoints: try await provider.endpoints(), code: "c", codeVerifier: verifier, nonce: "n-1")
        }
    }

    /// Claims of a good ID token for this sign-in, plus `extra`.
    static func idTokenClaims(_ extra: JSONObject = [:]) -> JSONObject {
        let now = Int64(Date().timeIntervalSince1970)
        var claims: JSONObject = [
            "iss": .string(issuer), "aud": "gatehouse", "sub": "ada", "email": "ada@example.com", "nonce": "n-1",
            "iat": .int(now), "exp": .int(now + 300),
        ]
        for (name, value) in extra { claims[name] = value }
        return claims
    }

    /// The provider's token endpoint hands out `idToken`.
    static func answer(_ http: FakeAuthHTTP, idToken: String) {
        http.answerPosts(to: issuer + "/token", json: ["id_token": .string(idToken), "access_token": "idp-access"])
    }

    func signIn(_ provider: UpstreamIdentityProvider) async throws -> UpstreamIdentityProvider.SignIn {
        try await provider.signIn(endpoints: try await provider.endpoints(), code: "c", codeVerifier: verifier, nonce: "n-1")
    }

    func failure(_ provider: UpstreamIdentityProvider) async -> String? {
        do {
            _ = try await signIn(provider)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func anIDTokenWithACriticalExtensionIsRefused() async throws {
        let (provider, http) = try await provider()
        let key = try await SigningKey.es256(kid: "provider-key-2")
        http.serve(Self.issuer + "/jwks", json: ["keys": [key.jwk]])
        for header: JSONObject in [
            ["alg": "ES256", "kid": "provider-key-2", "crit": ["urn:example:policy"], "urn:example:policy": "strict"],
            ["alg": "ES256", "kid": "provider-key-2", "crit": []],
        ] {
            Self.answer(http, idToken: try makeJWT(header: header, claims: Self.idTokenClaims(), signer: key.signer))
            let refused = try #require(await failure(provider))
            #expect(refused.contains("the ID token") && refused.contains("crit"), "\(refused)")
        }
    }

    @Test func aKeyTheProviderRotatesInRightAfterTheLastFetchIsFetchedAtOnce() async throws {
        let (provider, http) = try await provider()
        let first = try await SigningKey.es256(kid: "2026-01")
        let second = try await SigningKey.es256(kid: "2026-02")
        http.serve(Self.issuer + "/jwks", json: ["keys": [first.jwk]])
        Self.answer(http, idToken: try makeJWT(Self.idTokenClaims(), key: first))
        #expect(try await signIn(provider).caller.subject == "ada")
        // Seconds later the provider starts signing with a new key.
        http.serve(Self.issuer + "/jwks", json: ["keys": [first.jwk, second.jwk]])
        Self.answer(http, idToken: try makeJWT(Self.idTokenClaims(["sub": "grace"]), key: second))
        #expect(try await signIn(provider).caller.subject == "grace", "no wait for a refetch throttle")
        #expect(http.getCount(Self.issuer + "/jwks") == 2)
    }

    @Test func aUserInHundredsOfGroupsSignsIn() async throws {
        let groups = (0..<400).map { JSONValue.string("cn=team-\($0),ou=groups,dc=example") }
        let (provider, http) = try await provider()
        let key = try await SigningKey.es256(kid: "provider-key-2")
        http.serve(Self.issuer + "/jwks", json: ["keys": [key.jwk]])
        let idToken = try makeJWT(Self.idTokenClaims(["groups": .array(groups)]), key: key)
        #expect(idToken.split(separator: ".")[1].utf8.count > 16 * 1024)
        Self.answer(http, idToken: idToken)
        let signIn = try await signIn(provider)
        #expect(signIn.caller.claims["groups"]?.arrayValue?.count == 400)
    }

    @Test func refusalsSayItWasTheIDToken() async throws {
        let (provider, http) = try await provider()
        let key = try await SigningKey.es256(kid: "provider-key-2")
        http.serve(Self.issuer + "/jwks", json: ["keys": [key.jwk]])
        let groups = (0..<3_000).map { JSONValue.string("cn=team-\($0),ou=groups,dc=example") }
        Self.answer(http, idToken: try makeJWT(Self.idTokenClaims(["groups": .array(groups)]), key: key))
        #expect(await failure(provider) == "the ID token is too large (at most 64 KiB per section)")
        Self.answer(http, idToken: try makeJWT(Self.idTokenClaims(["exp": 1_000]), key: key))
        #expect(await failure(provider) == "the ID token has expired")
    }
}
