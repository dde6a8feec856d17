import AuthorizationServer
import Foundation
import TokenGrants
import Upstream

/// The access token each user got from the team's identity provider when
/// signing in to the built-in authorization server, for `sign_in_token`
/// connectors and as the token a `token_exchange` starts from.
///
/// Kept in memory per user until shortly before it expires (so a call
/// does not read the store), refreshed through the store's vault, one
/// refresh per user however many calls arrive at once.
struct SignInTokens: Sendable {
    let vault: UpstreamTokenVault
    let cache: TokenCache<String>

    init(vault: UpstreamTokenVault) {
        self.vault = vault
        self.cache = TokenCache(margin: .seconds(60))
    }

    static let notBuiltIn =
        "sign_in_token works with the built-in authorization server (GATEHOUSE_AUTH=builtin), where the gateway keeps each user's identity-provider token"
    static let reconnect =
        "Your sign-in at the identity provider has expired and could not be renewed. Reconnect this connector in your client (disconnect and connect again, or sign in again) and retry."

    /// - Parameter refused: a token an API just refused; a newer one is
    ///   fetched unless another call already replaced it.
    func token(for subject: String, refused: String?) async throws(CredentialFailure) -> String {
        if let refused { cache.invalidate(subject, ifAccessToken: refused) }
        do throws(GrantFailure) {
            return try await cache.token(for: subject) { [vault] () async throws(GrantFailure) -> IssuedToken in
                let tokens: UpstreamTokens?
                do {
                    tokens = try await vault.current(for: subject, forceRefresh: refused != nil)
                } catch let failure as UpstreamIdentityProvider.Failure where failure.refused {
                    throw GrantFailure(kind: .refused, description: failure.description)
                } catch {
                    throw GrantFailure(kind: .unreachable, description: "the identity provider's token could not be renewed")
                }
                guard let tokens else { throw GrantFailure(kind: .refused, description: "no sign-in is stored for this user") }
                return IssuedToken(accessToken: tokens.accessToken, expiresAt: tokens.expiresAt.map { IssuedToken.instant(epochSeconds: $0) })
            }.accessToken
        } catch {
            if error.kind == .refused { throw CredentialFailure(.reconnect, message: Self.reconnect) }
            throw CredentialFailure(.unavailable, message: error.description)
        }
    }
}
