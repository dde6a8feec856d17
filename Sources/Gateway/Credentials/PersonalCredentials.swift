import AuthorizationServer
import Caller
import ConnectorModel
import Foundation
import GatehouseJSON
import TokenGrants
import Upstream

/// Linked accounts and personal API keys: what users stored themselves,
/// sealed in the authorization store.
///
/// A credential read from the store is kept in memory for a short while
/// (``revalidateAfter``) so a call does not read the store, and a linked
/// account's token is refreshed (with refresh token rotation, guarded by
/// the row's version so two replicas cannot undo each other) shortly
/// before it expires. One read or refresh per user and connector however
/// many calls arrive at once.
struct PersonalCredentials: Sendable {
    let store: any AuthStore
    let box: SecretBox
    let grants: TokenGrants
    let clients: OAuthClientResolver
    let links: LinkIssuer
    let cache: TokenCache<Key>
    /// With an external issuer, the issuer whose subjects the link pages
    /// check: a token from any other issuer could name the same subject for
    /// someone else, so it reaches no stored credential. Nil in built-in
    /// mode, where every token is this server's own.
    let issuer: String?
    let now: @Sendable () -> Int64

    /// How long a stored credential is used from memory before the store is
    /// read again: an unlink on another replica takes effect within this.
    static let revalidateAfter: Int64 = 30
    /// Refresh a linked account's token this long before it expires.
    static let refreshMargin: Int64 = 60

    struct Key: Hashable, Sendable {
        var subject: String
        var connector: String
    }

    static let notConfigured =
        "linked accounts and personal keys need the credential store and a browser sign-in for the link pages (see docs/oauth.md, Linking accounts)"

    init(store: any AuthStore, box: SecretBox, grants: TokenGrants, clients: OAuthClientResolver, links: LinkIssuer, issuer: String? = nil,
         now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.store = store
        self.box = box
        self.grants = grants
        self.clients = clients
        self.links = links
        self.cache = TokenCache(margin: .zero)
        self.issuer = issuer
        self.now = now
    }

    func credential(for target: UpstreamTarget, subject: String, caller: CallerIdentity, refused: UpstreamCredential?)
        async throws(CredentialFailure) -> (String, UpstreamCredential.Placement)
    {
        if let issuer, caller.claims["iss"]?.stringValue != issuer {
            throw CredentialFailure(
                .unavailable, message: "linked accounts and personal keys work for users signed in at \(issuer), and this token is from another issuer")
        }
        let placement = Self.placement(target)
        let key = Key(subject: subject, connector: target.connector)
        if let refused { cache.invalidate(key, ifAccessToken: refused.value) }
        do throws(GrantFailure) {
            let token = try await cache.token(for: key) { [self] () async throws(GrantFailure) -> IssuedToken in
                try await load(key, target: target, forceRefresh: refused != nil)
            }
            return (token.accessToken, placement)
        } catch {
            guard error.kind == .refused else { throw CredentialFailure(.unavailable, message: error.description) }
            let again = error.description == Self.relinkReason
            let action = try await links.action(subject: subject, target: target, again: again)
            throw CredentialFailure(.userAction(action), message: action.fallbackText)
        }
    }

    /// A fresh credential was refused too: the stored one is no good, so it
    /// is removed and the user asked to link (or enter a key) again.
    func rejected(_ value: String, for target: UpstreamTarget, subject: String, caller: CallerIdentity) async -> CredentialFailure? {
        let key = Key(subject: subject, connector: target.connector)
        cache.remove { $0 == key }
        _ = try? await store.deleteUserCredentials(subject: subject, connector: target.connector)
        do {
            let action = try await links.action(subject: subject, target: target, again: true)
            return CredentialFailure(.userAction(action), message: action.fallbackText)
        } catch {
            return error
        }
    }

    /// After a link or unlink: the next call reads the store.
    func forget(subject: String, connector: String?) {
        cache.remove { $0.subject == subject && (connector == nil || $0.connector == connector) }
    }

    func save(_ credential: PersonalCredential, subject: String, connector: String) async throws {
        _ = try await store.saveUserCredential(
            subject: subject, connector: connector, kind: credential.kind, sealed: try box.seal(credential.json.jsonBytes), now: now())
        forget(subject: subject, connector: connector)
    }

    static let relinkReason = "the stored credential is no longer accepted"

    /// Reads the stored credential, refreshing a linked account's token when
    /// it is about to expire (or was refused). `.refused` means the user
    /// has to act.
    func load(_ key: Key, target: UpstreamTarget, forceRefresh: Bool) async throws(GrantFailure) -> IssuedToken {
        let record: StoredUserCredential?
        do {
            record = try await store.userCredential(subject: key.subject, connector: key.connector)
        } catch {
            throw GrantFailure(kind: .unreachable, description: "the credential store is unavailable")
        }
        guard let record, let credential = open(record) else {
            throw GrantFailure(kind: .refused, description: "nothing is stored for this user")
        }
        let time = now()
        switch (credential, target.auth) {
        case (.apiKey(let key), .userAPIKey?):
            return IssuedToken(accessToken: key, expiresAt: IssuedToken.instant(epochSeconds: time + Self.revalidateAfter))
        case (.linkedAccount(let access, let refresh, let expiresAt), .linkedAccount(let provider)?):
            let expiring = expiresAt.map { $0 - Self.refreshMargin <= time } ?? false
            guard forceRefresh || expiring else {
                let until = min(expiresAt.map { $0 - Self.refreshMargin } ?? .max, time + Self.revalidateAfter)
                return IssuedToken(accessToken: access, expiresAt: IssuedToken.instant(epochSeconds: until))
            }
            guard let refresh else {
                throw GrantFailure(kind: .refused, description: Self.relinkReason)
            }
            return try await self.refresh(record, refreshToken: refresh, provider: provider, key: key)
        default:
            // Stored for another kind of auth (the connector file changed).
            throw GrantFailure(kind: .refused, description: "nothing is stored for this user")
        }
    }

    func refresh(_ record: StoredUserCredential, refreshToken: String, provider: LinkedAccountProvider, key: Key)
        async throws(GrantFailure) -> IssuedToken
    {
        let issued: IssuedToken
        do throws(GrantFailure) {
            issued = try await grants.refresh(try await clients.tokenClient(provider.client), refreshToken: refreshToken, scope: nil)
        } catch {
            if error.kind == .refused {
                _ = try? await store.deleteUserCredentials(subject: key.subject, connector: key.connector)
                throw GrantFailure(kind: .refused, description: Self.relinkReason)
            }
            throw error
        }
        let time = now()
        let expiresAt = issued.expiresIn.map { time + $0 }
        let fresh = PersonalCredential.linkedAccount(
            accessToken: issued.accessToken, refreshToken: issued.refreshToken ?? refreshToken, expiresAt: expiresAt)
        do {
            let replaced = try await store.replaceUserCredential(
                subject: key.subject, connector: key.connector, expectedVersion: record.version,
                sealed: try box.seal(fresh.json.jsonBytes), now: time)
            if replaced == nil, let other = try await store.userCredential(subject: key.subject, connector: key.connector),
                case .linkedAccount(let access, _, let otherExpiry)? = open(other)
            {
                // Another replica refreshed first; its token is the current one.
                return IssuedToken(accessToken: access, expiresAt: IssuedToken.instant(epochSeconds: min(otherExpiry ?? .max, time + Self.revalidateAfter)))
            }
        } catch {
            throw GrantFailure(kind: .unreachable, description: "the credential store is unavailable")
        }
        let until = min(expiresAt.map { $0 - Self.refreshMargin } ?? .max, time + Self.revalidateAfter)
        return IssuedToken(accessToken: issued.accessToken, expiresAt: IssuedToken.instant(epochSeconds: until))
    }

    func open(_ record: StoredUserCredential) -> PersonalCredential? {
        guard let plain = try? box.open(record.sealed), let json = try? JSONParser.parse(plain) else { return nil }
        return PersonalCredential(json: json)
    }

    static func placement(_ target: UpstreamTarget) -> UpstreamCredential.Placement {
        guard case .userAPIKey(let placement)? = target.auth else { return .bearer }
        switch placement.location {
        case .header(let name): return .header(name: name, prefix: placement.prefix)
        case .query(let name): return .query(name: name)
        }
    }
}
