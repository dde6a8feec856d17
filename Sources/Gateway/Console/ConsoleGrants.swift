import AuthorizationServer
import Foundation

/// What users gave access to, as the console shows it: in built-in mode
/// the registered clients and the grants users gave them; wherever users
/// link accounts or keys, those too (never their values); and the
/// operator's revocations.
///
/// A revocation ends the grant in the store, so its refresh token stops
/// working at once on every replica; access tokens already issued run out
/// within their short lifetime. Each one is recorded as a `revocation`
/// event (audit log and metrics), naming the admin who did it.
struct ConsoleGrants: Sendable {
    let store: any AuthStore
    let events: any AuthorizationEventSink
    /// False when the store only keeps linked accounts (an external issuer).
    let issuesTokens: Bool
    /// Forgets a removed credential this process still holds.
    let forget: @Sendable (_ subject: String, _ connector: String) -> Void

    /// How many of each the page lists.
    static let shown = 200

    struct Listing: Sendable {
        var issuesTokens: Bool
        var clients: [StoredClient]
        var grants: [GrantRecord]
        var linked: [StoredUserCredential]
    }

    func listing() async throws -> Listing {
        Listing(
            issuesTokens: issuesTokens, clients: issuesTokens ? try await store.clients(limit: Self.shown) : [],
            grants: issuesTokens ? try await store.activeGrants(limit: Self.shown) : [],
            linked: try await store.recentUserCredentials(limit: Self.shown))
    }

    /// Removes one user's linked account or key for a connector.
    func unlink(subject: String, connector: String, by admin: String) async throws -> Int {
        let removed = try await store.deleteUserCredentials(subject: subject, connector: connector)
        forget(subject, connector)
        events.record(.init(.unlinked, clientID: nil, subject: subject, reason: "\(connector) unlinked in the console by \(admin)"))
        return removed
    }

    /// Ends one grant.
    func revoke(grant id: String, by admin: String, now: Int64) async throws -> Bool {
        guard let grant = try await store.grant(id: id), grant.revokedAt == nil else { return false }
        try await store.revokeGrant(id: id, now: now)
        events.record(.init(.revoked, clientID: grant.clientID, subject: grant.subject, reason: "revoked in the console by \(admin)"))
        return true
    }

    /// Ends every grant of one client.
    func revoke(client id: String, by admin: String, now: Int64) async throws -> Int {
        let count = try await store.revokeGrants(subject: nil, clientID: id, now: now)
        events.record(.init(.revoked, clientID: id, reason: "\(count) grant(s) revoked in the console by \(admin)"))
        return count
    }
}
