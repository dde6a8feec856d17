import AsyncHTTPClient
import AuthorizationServer
import Foundation
import GatehouseJSON
import Logging
import OAuth
import RateLimiting

/// The authorization server this gateway runs for its own MCP endpoint in
/// built-in mode: the parts from the AuthorizationServer module wired to
/// one store, one key set and the team's identity provider.
public struct BuiltInAuthorizationServer: Sendable {
    public let settings: AuthorizationServerSettings
    public let issuer: String
    public let resource: String
    /// The extra endpoints' URLs: the gateway fills it on each reload, and
    /// tokens are issued for them too, each for one.
    public let otherResources = AudienceSet()
    public let store: any AuthStore
    public let keys: SigningKeys
    /// Each signed-in user's tokens at the identity provider, sealed.
    public let upstreamTokens: UpstreamTokenVault
    /// Seals what the store must be able to read back.
    public let box: SecretBox
    let tokens: TokenService
    let registration: RegistrationService
    let flow: AuthorizationFlow
    let registrationLimiter: RateLimiter
    let events: any AuthorizationEventSink
    let closeStore: @Sendable () async throws -> Void

    /// Opens the store (creating or upgrading its schema), loads or makes
    /// the signing key and lists the operator's static clients.
    public static func start(
        settings: AuthorizationServerSettings, publicURL: String, http: HTTPClient,
        events: any AuthorizationEventSink, logger: Logger
    ) async throws -> BuiltInAuthorizationServer {
        let opened = try await AuthStoreFactory.open(settings.store, logger: logger)
        do {
            return try await BuiltInAuthorizationServer(
                settings: settings, publicURL: publicURL, store: opened.store, closeStore: opened.close,
                idpHTTP: HTTPAuthClient(client: http), documents: HTTPMetadataDocumentFetcher(client: http),
                hosts: SystemHostResolver(), events: events, logger: logger)
        } catch {
            try? await opened.close()
            throw error
        }
    }

    /// - Parameters:
    ///   - idpHTTP: reaches the identity provider (discovery, keys, token).
    ///   - documents: fetches client metadata documents.
    public init(
        settings: AuthorizationServerSettings, publicURL: String, store: any AuthStore,
        closeStore: @escaping @Sendable () async throws -> Void = {}, idpHTTP: any AuthHTTPClient,
        documents: any MetadataDocumentFetcher, hosts: any HostResolver, events: any AuthorizationEventSink, logger: Logger
    ) async throws {
        self.settings = settings
        self.issuer = publicURL
        self.resource = publicURL + "/mcp"
        self.store = store
        self.closeStore = closeStore
        self.events = events
        try await store.migrate()
        let box = try SecretBox(secret: settings.storeSecret, previous: settings.previousStoreSecrets)
        self.box = box
        let keys = SigningKeys(
            store: store, box: box, rotateAfter: settings.keyRotation, tokenLifetime: settings.accessTokenLifetime)
        try await keys.refresh()
        self.keys = keys
        for configured in settings.staticClients {
            try await store.saveClient(StoredClient(client: configured.client, secretHash: configured.secret.map(OpaqueToken.hash)))
        }
        let policy = RedirectURIPolicy(allowed: settings.redirectAllowList)
        let resolver = ClientResolver(
            store: store, fetcher: documents, hosts: hosts, policy: policy,
            allowInternalAddresses: settings.allowInternalMetadataDocuments)
        tokens = TokenService(
            store: store, issuer: issuer, resource: resource, otherResources: otherResources, accessTokenLifetime: settings.accessTokenLifetime,
            refreshTokenLifetime: settings.refreshTokenLifetime, scopeMapping: settings.scopeMapping,
            keys: { try await keys.current() }, events: events, documents: resolver)
        registration = RegistrationService(store: store, policy: policy)
        let provider = UpstreamIdentityProvider(
            settings: settings.upstream, http: idpHTTP, logger: logger, allowInsecure: settings.allowInsecureUpstream)
        let vault = UpstreamTokenVault(store: store, box: box, provider: provider)
        upstreamTokens = vault
        flow = AuthorizationFlow(
            store: store, resolver: resolver, provider: provider, scopeMapping: settings.scopeMapping, issuer: issuer,
            resource: resource, otherResources: otherResources, codeLifetime: settings.codeLifetime, events: events, vault: vault)
        registrationLimiter = RateLimiter(limit: settings.registrationRate)
    }

    public func close() async throws { try await closeStore() }

    /// Scopes to advertise: those the mapping can grant and those tools need.
    func metadata(toolScopes: [String]) -> JSONValue {
        var scopes = settings.scopeMapping.baseScopes
        for rule in settings.scopeMapping.rules { scopes.append(contentsOf: rule.scopes) }
        scopes.append(contentsOf: toolScopes)
        var seen = Set<String>()
        return AuthorizationServerMetadata(issuer: issuer, scopes: scopes.filter { seen.insert($0).inserted }).json
    }
}

/// Opens the store a `GATEHOUSE_AUTH_STORE` value names: a `postgres://`
/// URL or a SQLite file path.
enum AuthStoreFactory {
    static func open(_ location: String, logger: Logger) async throws
        -> (store: any AuthStore, close: @Sendable () async throws -> Void)
    {
        if AuthorizationServerSettings.isPostgres(location) {
            let store = try PostgresAuthStore(url: location, logger: logger)
            // The pool must run before the service group starts (migrations
            // and signing keys are read at startup) and until after the HTTP
            // server has drained its last request, so its task is owned by
            // the close function rather than by the service group.
            let pool = Task { await store.run() }
            return (store, {
                pool.cancel()
                await pool.value
            })
        }
        let store = try await SQLiteAuthStore.open(path: location)
        return (store, { try await store.close() })
    }
}

/// Answers the resource server's key fetches for this server's own issuer
/// in process, so tokens issued here go through exactly the verifier an
/// external issuer's tokens do, without a network round trip.
struct LocalIssuerHTTP: AuthHTTPClient {
    let jwksURL: String
    let keys: SigningKeys
    let fallback: any AuthHTTPClient

    func get(_ url: String) async throws -> (status: Int, body: [UInt8]) {
        guard url == jwksURL else { return try await fallback.get(url) }
        // Reread: the unknown key may be one another replica just made.
        return (200, try await keys.refresh().jwks.jsonBytes)
    }

    func postForm(_ url: String, form: [(String, String)], basicAuth: (user: String, password: String)?) async throws
        -> (status: Int, body: [UInt8])
    { try await fallback.postForm(url, form: form, basicAuth: basicAuth) }
}

/// `gatehouse auth revoke`: ends grants straight in the store, so it works
/// whether or not a gateway is running, and on every replica at once.
public enum GrantRevocation {
    public static func revoke(
        store location: String, subject: String?, clientID: String?, events: any AuthorizationEventSink = AuthorizationAuditLog(),
        logger: Logger
    ) async throws -> Int {
        let opened = try await AuthStoreFactory.open(location, logger: logger)
        do {
            try await opened.store.migrate()
            let count = try await opened.store.revokeGrants(subject: subject, clientID: clientID, now: Int64(Date().timeIntervalSince1970))
            events.record(.init(.revoked, clientID: clientID, subject: subject, reason: "operator revoked \(count) grant(s)"))
            try await opened.close()
            return count
        } catch {
            try? await opened.close()
            throw error
        }
    }
}
