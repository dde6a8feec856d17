/// What the authorization server keeps: clients, single-use codes, grants
/// with their rotating refresh tokens, and signing keys. A protocol so the
/// flows are tested against any backend, and so SQLite (one process) and
/// PostgreSQL (replicas sharing state) run the same logic.
///
/// Tokens and codes are stored as SHA-256 hashes only; private keys as
/// ciphertext from a ``SecretBox``.
public protocol AuthStore: UserCredentialStore {
    /// Creates or upgrades the schema; safe to call on every start.
    func migrate() async throws

    func saveClient(_ client: StoredClient) async throws
    func client(id: String) async throws -> StoredClient?

    func saveCode(_ code: AuthorizationCodeRecord) async throws
    /// Marks a code used and returns it; a code used before comes back as
    /// `.reused` so the grant it produced can be revoked.
    func consumeCode(hash: String, now: Int64) async throws -> CodeConsumption
    /// Remembers which grant a code produced, so a replay can revoke it.
    func attach(grantID: String, toCode hash: String) async throws

    func saveGrant(_ grant: GrantRecord) async throws
    func grant(id: String) async throws -> GrantRecord?
    func revokeGrant(id: String, now: Int64) async throws
    /// Revokes every grant of a user or of a client; returns how many.
    func revokeGrants(subject: String?, clientID: String?, now: Int64) async throws -> Int
    /// The registered clients, newest first, at most `limit`: what an
    /// operator reviews.
    func clients(limit: Int) async throws -> [StoredClient]
    /// The grants not revoked, newest first, at most `limit`.
    func activeGrants(limit: Int) async throws -> [GrantRecord]

    func saveRefreshToken(hash: String, grantID: String, expiresAt: Int64) async throws
    /// The grant a refresh token (current or retired) belongs to, for revocation.
    func grantID(forRefreshToken hash: String) async throws -> String?
    /// Retires `hash` in favour of `replacement`. A token retired before is
    /// reuse: its whole grant is revoked and `.reused` comes back.
    func rotateRefreshToken(hash: String, replacement: String, expiresAt: Int64, now: Int64) async throws -> RefreshRotation

    func savePending(_ pending: PendingAuthorization) async throws
    func pending(id: String) async throws -> PendingAuthorization?
    /// Records consent and the upstream sign-in it starts, once, before expiry.
    func approvePending(id: String, upstreamStateHash: String, nonce: String, upstreamVerifier: String, now: Int64) async throws -> Bool
    /// Takes the pending authorization an upstream callback belongs to; a
    /// second callback with the same state finds nothing.
    func takePending(upstreamStateHash: String, now: Int64) async throws -> PendingAuthorization?
    func deletePending(id: String) async throws

    func signingKeys() async throws -> [StoredSigningKey]
    /// A user's tokens at the identity provider, sealed by the caller's
    /// ``SecretBox``; one row per user, replaced on every sign-in and refresh.
    func saveUpstreamTokens(subject: String, sealed: [UInt8], updatedAt: Int64) async throws
    func upstreamTokens(subject: String) async throws -> [UInt8]?
    func replaceSigningKeys(_ keys: [StoredSigningKey]) async throws

    /// Keeps the sealed whole text of a cut tool answer until it expires,
    /// so any replica can serve its further parts; expired ones go first.
    func saveAnswerPart(id: String, subject: String, sealed: [UInt8], expiresAt: Int64, now: Int64) async throws
    /// The sealed text kept under `id` for this subject, unless expired.
    func answerPart(id: String, subject: String, now: Int64) async throws -> [UInt8]?

    /// Every sealed value, for ``StoreResealing``.
    func sealedRecords() async throws -> [(SealedRecord, [UInt8])]
    /// Replaces one sealed value in place (its other columns unchanged).
    func replaceSealed(_ record: SealedRecord, sealed: [UInt8]) async throws
}

public struct StoredClient: Sendable, Equatable {
    public var client: RegisteredClient
    /// SHA-256 of the client secret, for confidential clients.
    public var secretHash: String?

    public init(client: RegisteredClient, secretHash: String? = nil) {
        self.client = client
        self.secretHash = secretHash
    }
}

/// Everything a code is bound to: exchanged only by the same client, with
/// the same redirect URI, for the same resource, by whoever holds the PKCE
/// verifier.
public struct AuthorizationCodeRecord: Sendable, Equatable {
    public var hash: String
    public var clientID: String
    public var redirectURI: String
    public var codeChallenge: String
    public var resource: String
    public var scopes: [String]
    public var subject: String
    /// The user's claims from the identity provider, as JSON text.
    public var claimsJSON: String
    public var expiresAt: Int64
    /// Set once the code was exchanged: the grant it produced.
    public var grantID: String?

    public init(
        hash: String, clientID: String, redirectURI: String, codeChallenge: String, resource: String, scopes: [String],
        subject: String, claimsJSON: String, expiresAt: Int64, grantID: String? = nil
    ) {
        self.hash = hash
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.codeChallenge = codeChallenge
        self.resource = resource
        self.scopes = scopes
        self.subject = subject
        self.claimsJSON = claimsJSON
        self.expiresAt = expiresAt
        self.grantID = grantID
    }
}

public enum CodeConsumption: Sendable, Equatable {
    case fresh(AuthorizationCodeRecord)
    case reused(AuthorizationCodeRecord)
    case unknown
}

/// One user's consent to one client: the family every refresh token of
/// that sign-in belongs to.
public struct GrantRecord: Sendable, Equatable {
    public var id: String
    public var clientID: String
    public var subject: String
    public var scopes: [String]
    public var resource: String
    public var claimsJSON: String
    public var createdAt: Int64
    public var revokedAt: Int64?

    public init(
        id: String, clientID: String, subject: String, scopes: [String], resource: String, claimsJSON: String, createdAt: Int64,
        revokedAt: Int64? = nil
    ) {
        self.id = id
        self.clientID = clientID
        self.subject = subject
        self.scopes = scopes
        self.resource = resource
        self.claimsJSON = claimsJSON
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

public enum RefreshRotation: Sendable, Equatable {
    case rotated(GrantRecord)
    /// An old token came back: the grant is revoked now.
    case reused(grantID: String)
    case expired
    case revoked
    case unknown
}

public struct StoredSigningKey: Sendable, Equatable {
    public var kid: String
    /// The private key PEM, sealed by the store's ``SecretBox``.
    public var sealedPrivateKey: [UInt8]
    public var createdAt: Int64

    public init(kid: String, sealedPrivateKey: [UInt8], createdAt: Int64) {
        self.kid = kid
        self.sealedPrivateKey = sealedPrivateKey
        self.createdAt = createdAt
    }
}

/// An `/authorize` request between the consent page and the upstream
/// sign-in's return: stored, not kept in memory, so the callback may reach
/// any replica.
public struct PendingAuthorization: Sendable, Equatable {
    public var id: String
    public var clientID: String
    public var redirectURI: String
    public var state: String?
    public var codeChallenge: String
    public var resource: String
    public var scopes: [String]
    /// SHA-256 of the consent form's anti-forgery token.
    public var csrfHash: String
    public var createdAt: Int64
    public var expiresAt: Int64
    public var nonce: String?
    public var upstreamVerifier: String?

    public init(
        id: String, clientID: String, redirectURI: String, state: String?, codeChallenge: String, resource: String, scopes: [String],
        csrfHash: String, createdAt: Int64, expiresAt: Int64, nonce: String? = nil, upstreamVerifier: String? = nil
    ) {
        self.id = id
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.state = state
        self.codeChallenge = codeChallenge
        self.resource = resource
        self.scopes = scopes
        self.csrfHash = csrfHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.nonce = nonce
        self.upstreamVerifier = upstreamVerifier
    }
}
