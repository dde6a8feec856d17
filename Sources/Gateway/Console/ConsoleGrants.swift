import AuthorizationServer
import Foundation

/// The built-in authorization server as the console shows it: registered
/// clients and the grants users gave them, and the operator's revocations.
///
/// A revocation ends the grant in the store, so its refresh token stops
/// working at once on every replica; access tokens already issued run out
/// within their short lifetime. Each one is recorded as a `revocation`
/// event (audit log and metrics), naming the admin who did it.
struct ConsoleGrants: Sendable {
    let store: any AuthStore
    let events: any AuthorizationEventSink

    /// How many of each the page lists.
    static let shown = 200

    struct Listing: Sendable {
        var clients: [StoredClient]
        var grants: [GrantRecord]
    }

    func listing() async throws -> Listing {
        Listing(clients: try await store.clients(limit: Self.shown), grants: try await store.activeGrants(limit: Self.shown))
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
