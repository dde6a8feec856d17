import AuthorizationServer
import Catalog
import Foundation
import Logging
import OAuth
import TokenGrants
import Upstream

extension Gateway {
    /// Builds the credential source for `auth:` kinds obtained at call time,
    /// and the link pages when a store and a browser sign-in are configured.
    static func credentials(
        settings: GatewaySettings, http: any AuthHTTPClient, authorizationServer: BuiltInAuthorizationServer?,
        credentialStore: CredentialStore?, catalog: CatalogStore, metrics: GatewayMetrics, logger: Logger
    ) -> (source: GatewayCredentials, linking: AccountLinking?) {
        let grants = TokenGrants(http: http)
        let discovery = IssuerDiscovery(http: http, allowInsecure: settings.auth.allowInsecureIssuers)
        let clients = OAuthClientResolver(discovery: discovery)
        let signIn = authorizationServer.map { SignInTokens(vault: $0.upstreamTokens) }
        let now: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
        var personal: PersonalCredentials?
        var linking: AccountLinking?
        if let linkingSettings = settings.linking, let credentialStore, let publicURL = settings.publicURL {
            let events =
                authorizationServer?.events
                ?? AuthorizationEventSinks.standard(metrics: metrics)
            let links = LinkIssuer(store: credentialStore.store, publicURL: publicURL, lifetime: linkingSettings.linkLifetime, now: now)
            let stored = PersonalCredentials(
                store: credentialStore.store, box: credentialStore.box, grants: grants, clients: clients, links: links,
                issuer: authorizationServer == nil ? linkingSettings.signIn.issuer : nil, now: now)
            personal = stored
            linking = AccountLinking(
                store: credentialStore.store, personal: stored,
                signIn: UpstreamIdentityProvider(
                    settings: linkingSettings.signIn, http: http, logger: logger, allowInsecure: linkingSettings.allowInsecureSignIn),
                grants: grants, clients: clients, sessions: AccountSession(secret: linkingSettings.storeSecret), publicURL: publicURL,
                connector: { name in catalog.catalog.tools.first { $0.target.connector == name }?.target }, events: events, now: now)
        }
        return (GatewayCredentials(grants: grants, clients: clients, signIn: signIn, personal: personal), linking)
    }
}
