import OAuth
import Caller
import Foundation
import GatehouseJSON

/// The browser's path through this server: `/authorize` → consent page →
/// the team's identity provider → `/oauth/callback` → back to the client
/// with a code. Each step answers with what the HTTP layer should do.
public struct AuthorizationFlow: Sendable {
    public let store: any AuthStore
    public let resolver: ClientResolver
    public let provider: UpstreamIdentityProvider
    public let scopeMapping: ScopeMapping
    public let issuer: String
    public let resource: String
    /// The extra endpoints' URLs, for which tokens are issued too.
    public let otherResources: AudienceSet?
    /// How long a person has between the consent page and finishing the
    /// upstream sign-in.
    public let pendingLifetime: Int64
    public let codeLifetime: Int64
    let events: any AuthorizationEventSink
    /// Keeps the provider's tokens of each user who signs in, when given.
    let vault: UpstreamTokenVault?
    let now: @Sendable () -> Int64

    public init(
        store: any AuthStore, resolver: ClientResolver, provider: UpstreamIdentityProvider, scopeMapping: ScopeMapping,
        issuer: String, resource: String, otherResources: AudienceSet? = nil, pendingLifetime: Int64 = 600, codeLifetime: Int64 = 60,
        events: any AuthorizationEventSink = DiscardingEventSink(), vault: UpstreamTokenVault? = nil,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.store = store
        self.resolver = resolver
        self.provider = provider
        self.scopeMapping = scopeMapping
        self.issuer = issuer
        self.resource = resource
        self.otherResources = otherResources
        self.pendingLifetime = pendingLifetime
        self.codeLifetime = codeLifetime
        self.events = events
        self.vault = vault
        self.now = now
    }

    /// What the consent page shows and posts back.
    public struct Consent: Sendable, Equatable {
        public var pendingID: String
        /// Goes in the form; only its hash is stored.
        public var csrfToken: String
        public var clientName: String
        public var clientID: String
        /// The host the person will be sent back to: the spec asks that it
        /// be shown, since a client name can be anything.
        public var redirectHost: String
        public var redirectIsLoopback: Bool
        public var scopes: [String]
    }

    public enum Step: Sendable, Equatable {
        case consent(Consent)
        /// An error page (status, message): the client is not trusted
        /// enough to be redirected to.
        case page(status: Int, message: String)
        case redirect(URL)
    }

    public func begin(query: [(name: String, value: String)]) async throws -> Step {
        let request: AuthorizationRequest
        do {
            request = try await AuthorizationRequest.validate(
                query: query, issuer: issuer, resource: resource, otherResources: otherResources, resolver: resolver)
        } catch {
            switch error {
            case .page(let message):
                events.record(.init(.refused, clientID: Self.parameter("client_id", in: query), reason: message))
                return .page(status: 400, message: message)
            case .redirect(let url):
                events.record(.init(
                    .refused, clientID: Self.parameter("client_id", in: query),
                    reason: URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "error" }?.value))
                return .redirect(url)
            }
        }
        let csrf = OpaqueToken.generate()
        let now = now()
        let pending = PendingAuthorization(
            id: OpaqueToken.generate(bytes: 16), clientID: request.client.clientID, redirectURI: request.redirectURI,
            state: request.state, codeChallenge: request.codeChallenge, resource: request.resource, scopes: request.scopes,
            csrfHash: OpaqueToken.hash(csrf), createdAt: now, expiresAt: now + pendingLifetime)
        try await store.savePending(pending)
        let host = URLComponents(string: request.redirectURI)?.host ?? request.redirectURI
        return .consent(Consent(
            pendingID: pending.id, csrfToken: csrf, clientName: request.client.name ?? request.client.clientID,
            clientID: request.client.clientID, redirectHost: host, redirectIsLoopback: RedirectURIPolicy.isLoopback(host: host),
            scopes: request.scopes))
    }

    /// The consent form's answer. Without the right anti-forgery token
    /// nothing happens: another site cannot approve on the person's behalf.
    public func decide(pendingID: String, csrfToken: String?, approve: Bool) async throws -> Step {
        guard let pending = try await store.pending(id: pendingID), pending.expiresAt > now() else {
            return .page(status: 400, message: "This sign-in request has expired or is unknown. Start again from the application.")
        }
        guard let csrfToken, OpaqueToken.hash(csrfToken) == pending.csrfHash else {
            return .page(status: 403, message: "The consent form could not be verified. Start again from the application.")
        }
        guard let redirect = URL(string: pending.redirectURI) else { return .page(status: 400, message: "Invalid redirect URI.") }
        guard approve else {
            try await store.deletePending(id: pendingID)
            events.record(.init(.refused, clientID: pending.clientID, scopes: pending.scopes, reason: "access_denied: consent declined"))
            return .redirect(AuthorizationRequest.errorRedirect(
                redirect, error: "access_denied", description: "the user declined", state: pending.state, issuer: issuer))
        }
        let upstreamState = OpaqueToken.generate()
        let nonce = OpaqueToken.generate()
        let verifier = OpaqueToken.generate(bytes: 48)
        guard try await store.approvePending(
            id: pendingID, upstreamStateHash: OpaqueToken.hash(upstreamState), nonce: nonce, upstreamVerifier: verifier, now: now())
        else {
            return .page(status: 400, message: "This sign-in request was already answered. Start again from the application.")
        }
        events.record(.init(.consented, clientID: pending.clientID, scopes: pending.scopes))
        do {
            let endpoints = try await provider.endpoints()
            guard let url = provider.signInURL(endpoints: endpoints, state: upstreamState, nonce: nonce, codeVerifier: verifier) else {
                throw UpstreamIdentityProvider.Failure(description: "the identity provider's authorization endpoint is not a URL")
            }
            return .redirect(url)
        } catch {
            return .redirect(AuthorizationRequest.errorRedirect(
                redirect, error: "temporarily_unavailable", description: "the identity provider cannot be reached",
                state: pending.state, issuer: issuer))
        }
    }

    /// The identity provider sends the browser back here.
    public func callback(state: String?, code: String?, error: String?) async throws -> Step {
        guard let state, let pending = try await store.takePending(upstreamStateHash: OpaqueToken.hash(state), now: now()),
            let nonce = pending.nonce, let verifier = pending.upstreamVerifier, let redirect = URL(string: pending.redirectURI)
        else {
            return .page(status: 400, message: "This sign-in has expired, was already used, or did not start here.")
        }
        func refuse(_ code: String, _ description: String, detail: String? = nil) -> Step {
            events.record(.init(.refused, clientID: pending.clientID, reason: "\(code): \(detail ?? description)"))
            return .redirect(AuthorizationRequest.errorRedirect(redirect, error: code, description: description, state: pending.state, issuer: issuer))
        }
        if let error { return refuse(error == "access_denied" ? "access_denied" : "server_error", "the identity provider answered \(error)") }
        guard let code else { return refuse("server_error", "the identity provider sent no code") }
        let caller: CallerIdentity
        do {
            let endpoints = try await provider.endpoints()
            let signIn = try await provider.signIn(endpoints: endpoints, code: code, codeVerifier: verifier, nonce: nonce, now: now())
            caller = signIn.caller
            if let vault, let tokens = signIn.tokens, let subject = caller.subject {
                try await vault.save(tokens, for: subject, now: now())
            }
        } catch let error as UpstreamIdentityProvider.Failure {
            return refuse(
                "server_error", "the sign-in at the identity provider could not be verified",
                detail: "the identity provider's sign-in was not accepted: \(error)")
        }
        let scopes = scopeMapping.grant(requested: pending.scopes, for: caller.claims)
        if !pending.scopes.isEmpty && scopes.isEmpty {
            return refuse("access_denied", "the signed-in user may not have any of the requested scopes")
        }
        // Everything the provider said about the user is kept with the
        // grant; each access token copies only what is in use when issued.
        let claims = UserClaimSelection.keptAtSignIn(from: caller.claims)
        let ourCode = OpaqueToken.generate()
        try await store.saveCode(AuthorizationCodeRecord(
            hash: OpaqueToken.hash(ourCode), clientID: pending.clientID, redirectURI: pending.redirectURI,
            codeChallenge: pending.codeChallenge, resource: pending.resource, scopes: scopes, subject: caller.subject ?? "",
            claimsJSON: JSONValue.object(claims).jsonString, expiresAt: now() + codeLifetime))
        return .redirect(AuthorizationRequest.redirect(
            redirect, adding: [URLQueryItem(name: "code", value: ourCode)], state: pending.state, issuer: issuer))
    }

    static func parameter(_ name: String, in query: [(name: String, value: String)]) -> String? {
        query.first { $0.name == name }?.value
    }
}
