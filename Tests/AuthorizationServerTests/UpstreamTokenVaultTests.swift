import Foundation
import GatehouseJSON
import Logging
import OAuthTestSupport
import Testing

@testable import AuthorizationServer

/// The identity provider's tokens of each user: sealed in the store,
/// refreshed when used close to expiry, on every store backend.
@Suite("Upstream token vault")
struct UpstreamTokenVaultTests {
    static let issuer = "http://127.0.0.1:4593/api/oidc"

    func vault(_ store: any AuthStore, http: FakeAuthHTTP) throws -> UpstreamTokenVault {
        http.serve(Self.issuer + "/.well-known/openid-configuration", json: [
            "issuer": .string(Self.issuer), "authorization_endpoint": .string(Self.issuer + "/auth"),
            "token_endpoint": .string(Self.issuer + "/token"), "jwks_uri": .string(Self.issuer + "/jwks"),
        ])
        let provider = UpstreamIdentityProvider(
            settings: .init(issuer: Self.issuer, clientID: "gatehouse", clientSecret: "s", redirectURI: "http://127.0.0.1:8080/oauth/callback"),
            http: http, logger: Logger(label: "test"), allowInsecure: true)
        return UpstreamTokenVault(store: store, box: try SecretBox(secret: Array(repeating: 7, count: 32)), provider: provider)
    }

    @Test(arguments: StoreBackend.tested) func tokensAreSealedAtRest(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            let vault = try vault(store, http: FakeAuthHTTP())
            let tokens = UpstreamTokens(accessToken: "secret-access-token", refreshToken: "secret-refresh-token", expiresAt: 5_000)
            try await vault.save(tokens, for: "ada", now: 1_000)
            let sealed = try #require(try await store.upstreamTokens(subject: "ada"))
            #expect(!String(decoding: sealed, as: UTF8.self).contains("secret-access-token"))
            #expect(try await vault.tokens(for: "ada") == tokens)
            #expect(try await vault.tokens(for: "nobody") == nil)
        }
    }

    @Test(arguments: StoreBackend.tested) func aTokenNearExpiryIsRefreshedWhenUsed(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            let http = FakeAuthHTTP()
            let vault = try vault(store, http: http)
            try await vault.save(UpstreamTokens(accessToken: "old", refreshToken: "r1", expiresAt: 2_000), for: "ada", now: 1_000)
            #expect(try await vault.accessToken(for: "ada", now: 1_500) == "old", "still good: no refresh")
            #expect(http.posts.isEmpty)
            http.answerPosts(to: Self.issuer + "/token", json: ["access_token": "new", "expires_in": 3600])
            #expect(try await vault.accessToken(for: "ada", now: 1_950) == "new")
            let post = try #require(http.posts.first)
            #expect(post.field("grant_type") == "refresh_token" && post.field("refresh_token") == "r1" && post.user == "gatehouse")
            // The provider sent no new refresh token: the old one is kept.
            #expect(try await vault.tokens(for: "ada") == UpstreamTokens(accessToken: "new", refreshToken: "r1", expiresAt: 5_550))
        }
    }

    @Test(arguments: StoreBackend.tested) func aRefusedRefreshIsAnErrorNotAStaleToken(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            let http = FakeAuthHTTP()
            let vault = try vault(store, http: http)
            try await vault.save(UpstreamTokens(accessToken: "old", refreshToken: "r1", expiresAt: 2_000), for: "ada", now: 1_000)
            http.answerPosts(to: Self.issuer + "/token", json: ["error": "invalid_grant"], status: 400)
            await #expect(throws: UpstreamIdentityProvider.Failure.self) { _ = try await vault.accessToken(for: "ada", now: 3_000) }
            #expect(try await vault.tokens(for: "ada")?.accessToken == "old", "nothing was overwritten")
        }
    }
}
