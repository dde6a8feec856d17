import Foundation
import GatehouseJSON
import OAuth

/// The token endpoint's rules, apart from HTTP: exchange a code (PKCE
/// checked, bound to client, redirect URI and resource; a replayed code
/// revokes what it produced) or rotate a refresh token (a reused one
/// revokes its whole family), and answer with a signed access token.
public struct TokenService: Sendable {
    public let store: any AuthStore
    public let issuer: String
    /// The MCP endpoint's URL: the only audience tokens are issued for.
    public let resource: String
    /// The extra endpoints' URLs, for which tokens are issued too.
    public let otherResources: AudienceSet?
    public let accessTokenLifetime: Int64
    public let refreshTokenLifetime: Int64
    /// Which of the user's claims scope mapping looks at.
    public let scopeMapping: ScopeMapping
    let keys: @Sendable () async throws -> SigningKeyRing
    let events: any AuthorizationEventSink
    /// Finds clients identified by a metadata document URL, which are never
    /// in the store; nil turns such clients away.
    let documents: ClientResolver?
    let now: @Sendable () -> Int64

    public init(
        store: any AuthStore, issuer: String, resource: String, otherResources: AudienceSet? = nil, accessTokenLifetime: Int64 = 900,
        refreshTokenLifetime: Int64 = 30 * 86_400, scopeMapping: ScopeMapping = ScopeMapping(),
        keys: @escaping @Sendable () async throws -> SigningKeyRing,
        events: any AuthorizationEventSink = DiscardingEventSink(), documents: ClientResolver? = nil,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.store = store
        self.issuer = issuer
        self.resource = resource
        self.otherResources = otherResources
        self.accessTokenLifetime = accessTokenLifetime
        self.refreshTokenLifetime = refreshTokenLifetime
        self.scopeMapping = scopeMapping
        self.keys = keys
        self.events = events
        self.documents = documents
        self.now = now
    }

    /// How the client proved who it is at the token endpoint.
    public struct ClientCredentials: Sendable {
        public var clientID: String
        /// Present for confidential clients (Basic or form post).
        public var secret: String?

        public init(clientID: String, secret: String? = nil) {
            self.clientID = clientID
            self.secret = secret
        }
    }

    /// A form-encoded token request.
    /// - Parameter placeholderClaims: the claims `{{ user.claims.NAME }}`
    ///   placeholders use in the connector files loaded now, copied into
    ///   the access token beside the email and name.
    public func handle(
        form: [String: String], credentials: ClientCredentials?, placeholderClaims: Set<String> = []
    ) async throws -> JSONValue {
        let selection = UserClaimSelection(scopeMapping: scopeMapping, placeholderClaims: placeholderClaims)
        guard let grantType = form["grant_type"] else { throw OAuthError.invalidRequest("grant_type is missing") }
        let client = try await authenticate(credentials, form: form)
        switch grantType {
        case "authorization_code":
            guard let code = form["code"] else { throw OAuthError.invalidRequest("code is missing") }
            guard let verifier = form["code_verifier"] else { throw OAuthError.invalidRequest("code_verifier is missing: PKCE is required") }
            guard let redirectURI = form["redirect_uri"] else { throw OAuthError.invalidRequest("redirect_uri is missing") }
            return try await exchange(
                code: code, verifier: verifier, redirectURI: redirectURI, resource: form["resource"], client: client,
                selection: selection)
        case "refresh_token":
            guard let token = form["refresh_token"] else { throw OAuthError.invalidRequest("refresh_token is missing") }
            return try await refresh(token: token, resource: form["resource"], client: client, selection: selection)
        default:
            throw OAuthError.unsupportedGrantType(grantType)
        }
    }

    /// RFC 7009: a refresh token ends its whole grant. Access tokens are
    /// short-lived JWTs checked without a lookup, so revoking one has no
    /// effect beyond that; unknown tokens are not an error either, so the
    /// answer reveals nothing about which tokens exist.
    public func revoke(form: [String: String], credentials: ClientCredentials?) async throws {
        guard let token = form["token"], !token.isEmpty else { throw OAuthError.invalidRequest("token is missing") }
        let client = try await authenticate(credentials, form: form)
        guard let grantID = try await store.grantID(forRefreshToken: OpaqueToken.hash(token)),
            let grant = try await store.grant(id: grantID), grant.clientID == client.clientID
        else { return }
        try await store.revokeGrant(id: grantID, now: now())
        events.record(.init(.revoked, clientID: client.clientID, subject: grant.subject, reason: "revoked by the client"))
    }

    /// The given credentials, or a public client naming itself in the body.
    func authenticate(_ credentials: ClientCredentials?, form: [String: String]) async throws -> RegisteredClient {
        guard let credentials = credentials ?? form["client_id"].map({ ClientCredentials(clientID: $0) }) else {
            throw OAuthError.invalidClient("client_id is missing")
        }
        return try await authenticate(credentials)
    }

    func authenticate(_ credentials: ClientCredentials) async throws -> RegisteredClient {
        if ClientMetadataDocument.isDocumentURL(credentials.clientID) {
            guard let documents else { throw OAuthError.invalidClient("client metadata documents are not accepted here") }
            // The document is the client's only registration; it is public,
            // so PKCE (checked with the code) is what binds it.
            let client = try await documents.client(id: credentials.clientID)
            guard client.isPublic, credentials.secret == nil else {
                throw OAuthError.invalidClient("a client identified by a metadata document authenticates with PKCE only")
            }
            return client
        }
        guard let stored = try await store.client(id: credentials.clientID) else {
            throw OAuthError.invalidClient("unknown client \(credentials.clientID); register again")
        }
        if let expected = stored.secretHash {
            guard let secret = credentials.secret, OpaqueToken.hash(secret) == expected else {
                throw OAuthError.invalidClient("client authentication failed")
            }
        }
        return stored.client
    }

    /// A `resource` parameter must name something served here and, once
    /// the grant is known, the resource it was made for: each token is for
    /// one endpoint (RFC 8707).
    func checkResource(_ requested: String?, granted: String? = nil) throws {
        guard let requested else { return }
        if requested != resource, otherResources?.contains(requested) != true {
            throw OAuthError.invalidTarget("tokens are issued only for \(resource) and its other endpoints, not \(requested)")
        }
        if let granted, requested != granted {
            throw OAuthError.invalidTarget("this sign-in was for \(granted), not \(requested); sign in again for that endpoint")
        }
    }

    func exchange(
        code: String, verifier: String, redirectURI: String, resource requested: String?, client: RegisteredClient,
        selection: UserClaimSelection = UserClaimSelection()
    ) async throws -> JSONValue {
        try checkResource(requested)
        let now = now()
        switch try await store.consumeCode(hash: OpaqueToken.hash(code), now: now) {
        case .unknown:
            throw OAuthError.invalidGrant("the authorization code is not valid")
        case .reused(let record):
            // The code leaked or was replayed: whatever it produced goes too.
            if let grantID = record.grantID {
                try await store.revokeGrant(id: grantID, now: now)
                events.record(.init(.revoked, clientID: record.clientID, subject: record.subject, reason: "authorization code replayed"))
            }
            throw OAuthError.invalidGrant("the authorization code was already used; the tokens it produced are revoked")
        case .fresh(let record):
            guard record.clientID == client.clientID else { throw OAuthError.invalidGrant("the code was issued to another client") }
            guard record.expiresAt > now else { throw OAuthError.invalidGrant("the authorization code has expired") }
            guard record.redirectURI == redirectURI else { throw OAuthError.invalidGrant("redirect_uri differs from the authorization request") }
            guard PKCE.verify(verifier: verifier, challenge: record.codeChallenge) else {
                throw OAuthError.invalidGrant("code_verifier does not match the code challenge")
            }
            try checkResource(requested, granted: record.resource)
            let grant = GrantRecord(
                id: OpaqueToken.generate(bytes: 16), clientID: client.clientID, subject: record.subject, scopes: record.scopes,
                resource: record.resource, claimsJSON: record.claimsJSON, createdAt: now)
            try await store.saveGrant(grant)
            try await store.attach(grantID: grant.id, toCode: record.hash)
            let response = try await tokens(for: grant, client: client, now: now, selection: selection)
            events.record(.init(.granted, clientID: client.clientID, subject: grant.subject, scopes: grant.scopes))
            return response
        }
    }

    func refresh(
        token: String, resource requested: String?, client: RegisteredClient, selection: UserClaimSelection = UserClaimSelection()
    ) async throws -> JSONValue {
        try checkResource(requested)
        // A refresh naming another endpoint is refused before the token
        // rotates: the client's next, correct refresh must still work.
        if let requested, let grantID = try await store.grantID(forRefreshToken: OpaqueToken.hash(token)),
            let grant = try await store.grant(id: grantID)
        {
            try checkResource(requested, granted: grant.resource)
        }
        let now = now()
        let replacement = OpaqueToken.generate()
        switch try await store.rotateRefreshToken(
            hash: OpaqueToken.hash(token), replacement: OpaqueToken.hash(replacement), expiresAt: now + refreshTokenLifetime, now: now)
        {
        case .rotated(let grant):
            guard grant.clientID == client.clientID else {
                try await store.revokeGrant(id: grant.id, now: now)
                throw OAuthError.invalidGrant("the refresh token was issued to another client")
            }
            try checkResource(requested, granted: grant.resource)
            let response = try await tokens(for: grant, client: client, now: now, refreshToken: replacement, selection: selection)
            events.record(.init(.refreshed, clientID: client.clientID, subject: grant.subject, scopes: grant.scopes))
            return response
        case .reused:
            events.record(.init(.revoked, clientID: client.clientID, reason: "refresh token reused"))
            throw OAuthError.invalidGrant("the refresh token was already used; every token of this sign-in is revoked")
        case .expired:
            throw OAuthError.invalidGrant("the refresh token has expired; sign in again")
        case .revoked:
            throw OAuthError.invalidGrant("access was revoked; sign in again")
        case .unknown:
            throw OAuthError.invalidGrant("the refresh token is not valid")
        }
    }

    func tokens(
        for grant: GrantRecord, client: RegisteredClient, now: Int64, refreshToken: String? = nil,
        selection: UserClaimSelection
    ) async throws -> JSONValue {
        let kept = (try? JSONParser.parse(Array(grant.claimsJSON.utf8)))?.objectValue ?? [:]
        let claims = AccessTokenClaims(
            issuer: issuer, subject: grant.subject, audience: grant.resource, clientID: client.clientID, scopes: grant.scopes,
            issuedAt: now, lifetime: accessTokenLifetime, userClaims: selection.select(from: kept))
        let accessToken = try await keys().sign(claims.json)
        guard accessToken.utf8.count <= ResourceServer.maximumTokenBytes else {
            // In practice only claims the connector files read make it this
            // large; a token the MCP endpoint would refuse is not handed out.
            let names = selection.placeholderClaims.sorted().map { "user.claims.\($0)" }.joined(separator: ", ")
            throw OAuthError(
                "server_error",
                "the signed-in user's claims\(names.isEmpty ? "" : " (\(names))") make the access token larger than "
                    + "\(ResourceServer.maximumTokenBytes / 1024) KiB, which the MCP endpoint refuses",
                status: 500)
        }
        var response: JSONObject = [
            "access_token": .string(accessToken), "token_type": "Bearer", "expires_in": .int(accessTokenLifetime),
            "scope": .string(grant.scopes.joined(separator: " ")),
        ]
        if client.grantTypes.contains("refresh_token") {
            var refresh = refreshToken
            if refresh == nil {
                let fresh = OpaqueToken.generate()
                try await store.saveRefreshToken(hash: OpaqueToken.hash(fresh), grantID: grant.id, expiresAt: now + refreshTokenLifetime)
                refresh = fresh
            }
            response["refresh_token"] = .string(refresh!)
        }
        return .object(response)
    }
}
