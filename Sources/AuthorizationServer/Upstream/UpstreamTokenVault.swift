import Foundation
import GatehouseJSON

/// Each user's tokens at the identity provider, sealed at rest and
/// refreshed when they are used close to expiry. Kept so per-user
/// credentials towards upstream APIs can come from the sign-in itself.
public struct UpstreamTokenVault: Sendable {
    let store: any AuthStore
    let box: SecretBox
    let provider: UpstreamIdentityProvider
    /// Refresh this long before the provider's expiry, so a token handed
    /// out is still good when the API receives it.
    let margin: Int64

    public init(store: any AuthStore, box: SecretBox, provider: UpstreamIdentityProvider, margin: Int64 = 60) {
        self.store = store
        self.box = box
        self.provider = provider
        self.margin = margin
    }

    public func save(_ tokens: UpstreamTokens, for subject: String, now: Int64) async throws {
        try await store.saveUpstreamTokens(subject: subject, sealed: try box.seal(tokens.json.jsonBytes), updatedAt: now)
    }

    public func tokens(for subject: String) async throws -> UpstreamTokens? {
        guard let sealed = try await store.upstreamTokens(subject: subject) else { return nil }
        return UpstreamTokens(json: try JSONParser.parse(try box.open(sealed)))
    }

    /// The user's current access token at the provider, refreshed first
    /// when it is about to expire; nil when the user never signed in here.
    public func accessToken(for subject: String, now: Int64 = Int64(Date().timeIntervalSince1970)) async throws -> String? {
        guard let tokens = try await tokens(for: subject) else { return nil }
        guard let expiresAt = tokens.expiresAt, expiresAt - margin <= now, tokens.refreshToken != nil else {
            return tokens.accessToken
        }
        let fresh = try await provider.refresh(endpoints: try await provider.endpoints(), tokens, now: now)
        try await save(fresh, for: subject, now: now)
        return fresh.accessToken
    }
}

extension UpstreamTokenVault {
    /// The user's tokens, refreshed first when they are close to expiry or
    /// when `forceRefresh` (an API refused the access token); nil when the
    /// user never signed in here.
    public func current(for subject: String, forceRefresh: Bool = false, now: Int64 = Int64(Date().timeIntervalSince1970))
        async throws -> UpstreamTokens?
    {
        guard let tokens = try await tokens(for: subject) else { return nil }
        let expiring = tokens.expiresAt.map { $0 - margin <= now } ?? false
        guard forceRefresh || expiring, tokens.refreshToken != nil else { return tokens }
        let fresh = try await provider.refresh(endpoints: try await provider.endpoints(), tokens, now: now)
        try await save(fresh, for: subject, now: now)
        return fresh
    }
}
