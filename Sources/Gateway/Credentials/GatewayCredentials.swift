import Caller
import ConnectorModel
import Foundation
import OAuth
import TokenGrants
import Upstream

/// Every credential a connector file does not hold, by `auth:` kind: service
/// tokens, exchanged tokens, the user's sign-in token, and the linked
/// accounts and keys users stored themselves.
///
/// Caches sit in front of every kind, keyed by the connector's settings
/// and, for per-user kinds, by the user: one user's credential can never
/// answer another user's call, and concurrent calls share one fetch.
public struct GatewayCredentials: CredentialSource {
    let grants: TokenGrants
    let clients: OAuthClientResolver
    let serviceTokens: TokenCache<ServiceKey>
    let exchangedTokens: TokenCache<ExchangeKey>
    /// The user's identity-provider token: present with the built-in
    /// authorization server.
    let signIn: SignInTokens?
    /// Linked accounts and personal keys: present when a store and a
    /// browser sign-in for the link pages are configured.
    let personal: PersonalCredentials?
    let redactors = RedactorMemo()

    struct ServiceKey: Hashable, Sendable {
        var connector: String
        var grant: ClientCredentialsGrant
    }

    struct ExchangeKey: Hashable, Sendable {
        var subject: String
        var connector: String
        var grant: TokenExchangeGrant
    }

    /// Service tokens and exchanges of the presented token only (an external
    /// issuer without linking), over `http`: what the benchmarks measure.
    public init(http: any AuthHTTPClient) {
        let grants = TokenGrants(http: http)
        self.init(grants: grants, clients: OAuthClientResolver(discovery: IssuerDiscovery(http: http)), signIn: nil, personal: nil)
    }

    init(grants: TokenGrants, clients: OAuthClientResolver, signIn: SignInTokens?, personal: PersonalCredentials?) {
        self.grants = grants
        self.clients = clients
        self.serviceTokens = TokenCache(margin: .seconds(60))
        self.exchangedTokens = TokenCache(margin: .seconds(60))
        self.signIn = signIn
        self.personal = personal
    }

    public func credential(for target: UpstreamTarget, caller: CallerIdentity, refused: UpstreamCredential?)
        async throws(CredentialFailure) -> UpstreamCredential
    {
        switch target.auth {
        case .clientCredentials(let grant)?:
            let key = ServiceKey(connector: target.connector, grant: grant)
            if let refused { serviceTokens.invalidate(key, ifAccessToken: refused.value) }
            let token = try await Self.obtain { () async throws(GrantFailure) -> IssuedToken in
                try await serviceTokens.token(for: key) { [grants, clients] () async throws(GrantFailure) -> IssuedToken in
                    try await grants.clientCredentials(
                        try await clients.tokenClient(grant.client), scope: grant.client.scope, audience: grant.audience,
                        resource: grant.resource)
                }
            }
            return bearer(token.accessToken, target)
        case .tokenExchange(let grant)?:
            let subject = try Self.subject(of: caller)
            let key = ExchangeKey(subject: subject, connector: target.connector, grant: grant)
            if let refused { exchangedTokens.invalidate(key, ifAccessToken: refused.value) }
            let subjectToken = try await callerToken(caller, subject: subject, for: target)
            let token = try await Self.obtain { () async throws(GrantFailure) -> IssuedToken in
                try await exchangedTokens.token(for: key) { [grants, clients] () async throws(GrantFailure) -> IssuedToken in
                    let client = try await clients.tokenClient(grant.client)
                    switch grant.style {
                    case .rfc8693:
                        return try await grants.exchange(
                            client, subjectToken: subjectToken, subjectTokenType: TokenTypes.accessToken, audience: grant.audience,
                            resource: grant.resource, scope: grant.client.scope, requestedTokenType: grant.requestedTokenType)
                    case .onBehalfOf:
                        return try await grants.onBehalfOf(client, assertion: subjectToken, scope: grant.client.scope ?? "")
                    }
                }
            }
            return bearer(token.accessToken, target)
        case .signInToken?:
            let subject = try Self.subject(of: caller)
            guard let signIn else { throw CredentialFailure(.unavailable, message: SignInTokens.notBuiltIn) }
            return bearer(try await signIn.token(for: subject, refused: refused?.value), target)
        case .linkedAccount?, .userAPIKey?:
            let subject = try Self.subject(of: caller)
            guard let personal else { throw CredentialFailure(.unavailable, message: PersonalCredentials.notConfigured) }
            let (value, placement) = try await personal.credential(for: target, subject: subject, caller: caller, refused: refused)
            return UpstreamCredential(value: value, placement: placement, redactor: redactors.redactor(for: value))
        case .bearer?, .basic?, .apiKeyHeader?, .apiKeyQuery?, nil:
            throw CredentialFailure(.unavailable, message: "the connector's credential is written in its file")
        }
    }

    public func rejected(_ credential: UpstreamCredential, for target: UpstreamTarget, caller: CallerIdentity) async -> CredentialFailure? {
        switch target.auth {
        case .linkedAccount?, .userAPIKey?:
            guard let personal, let subject = caller.subject else { return nil }
            return await personal.rejected(credential.value, for: target, subject: subject, caller: caller)
        default:
            return nil
        }
    }

    /// The token the caller's exchange starts from: the one presented at
    /// `/mcp` with an external issuer, the identity provider's with the
    /// built-in authorization server (whose own tokens no other server
    /// trusts).
    func callerToken(_ caller: CallerIdentity, subject: String, for target: UpstreamTarget) async throws(CredentialFailure) -> String {
        if let signIn { return try await signIn.token(for: subject, refused: nil) }
        guard let presented = caller.presentedToken else {
            throw CredentialFailure(.unavailable, message: "the request carries no token to exchange")
        }
        return presented.value
    }

    func bearer(_ value: String, _ target: UpstreamTarget) -> UpstreamCredential {
        UpstreamCredential(value: value, placement: .bearer, redactor: redactors.redactor(for: value))
    }

    static func subject(of caller: CallerIdentity) throws(CredentialFailure) -> String {
        guard let subject = caller.subject, !subject.isEmpty else {
            throw CredentialFailure(.anonymous, message: "This tool calls its API as the signed-in user, and this request is not signed in.")
        }
        return subject
    }

    /// A grant failure as the tool error says it: the endpoint and why,
    /// never what was sent.
    static func obtain(_ body: () async throws(GrantFailure) -> IssuedToken) async throws(CredentialFailure) -> IssuedToken {
        do {
            return try await body()
        } catch {
            throw CredentialFailure(.unavailable, message: error.description)
        }
    }
}

/// RFC 8693 token type identifiers.
enum TokenTypes {
    static let accessToken = "urn:ietf:params:oauth:token-type:access_token"
}
