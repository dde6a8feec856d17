/// What users store themselves (linked accounts' tokens, personal API
/// keys, sealed) and the link flows that let them do it from a browser.
///
/// Part of the authorization store so SQLite and PostgreSQL keep it beside
/// everything else and replicas share it; every single-use step is one
/// conditional statement, so two replicas racing for it cannot both win.
public protocol UserCredentialStore: Sendable {
    /// Creates or replaces a user's credential for a connector; its version
    /// goes up by one.
    func saveUserCredential(subject: String, connector: String, kind: String, sealed: [UInt8], now: Int64) async throws
        -> StoredUserCredential
    func userCredential(subject: String, connector: String) async throws -> StoredUserCredential?
    /// A user's credentials, ordered by connector.
    func userCredentials(subject: String) async throws -> [StoredUserCredential]
    /// Every user's linked accounts and keys, most recently written first,
    /// at most `limit`: what an operator reviews.
    func recentUserCredentials(limit: Int) async throws -> [StoredUserCredential]
    /// Replaces the sealed value only while the stored version is still
    /// `expectedVersion`: a refresh on one replica is never overwritten by a
    /// stale one from another. Nil when someone else wrote first (or the
    /// credential was deleted).
    func replaceUserCredential(subject: String, connector: String, expectedVersion: Int64, sealed: [UInt8], now: Int64) async throws
        -> StoredUserCredential?
    /// Deletes one connector's credential or, with `connector` nil, all of
    /// a user's; returns how many.
    func deleteUserCredentials(subject: String, connector: String?) async throws -> Int

    func saveLinkFlow(_ flow: LinkFlow) async throws
    /// Opens a link URL once: the flow, if it exists, was never opened and
    /// has not expired; nil for a replayed or expired link.
    func openLinkFlow(id: String, now: Int64) async throws -> LinkFlow?
    /// Records the next step: a new lookup key (the hash of the `state` or
    /// form token the browser brings back) and the step's data. False when
    /// the flow is gone, expired or finished.
    func advanceLinkFlow(id: String, stateHash: String, data: String, now: Int64) async throws -> Bool
    /// Takes the flow a browser step belongs to, once: the lookup key is
    /// cleared, so the same `state` finds nothing a second time.
    func takeLinkFlow(stateHash: String, now: Int64) async throws -> LinkFlow?
    func linkFlow(id: String) async throws -> LinkFlow?
    /// Ends a flow; nothing can advance or take it afterwards.
    func finishLinkFlow(id: String, now: Int64) async throws
}

/// A user's own credential for one connector, sealed by the caller's
/// ``SecretBox``: the store never sees it in clear.
public struct StoredUserCredential: Sendable, Equatable {
    public var subject: String
    public var connector: String
    /// `linked_account` or `api_key`.
    public var kind: String
    public var sealed: [UInt8]
    /// Goes up on every write; ``UserCredentialStore/replaceUserCredential(subject:connector:expectedVersion:sealed:now:)`` compares it.
    public var version: Int64
    public var updatedAt: Int64

    public init(subject: String, connector: String, kind: String, sealed: [UInt8], version: Int64, updatedAt: Int64) {
        self.subject = subject
        self.connector = connector
        self.kind = kind
        self.sealed = sealed
        self.version = version
        self.updatedAt = updatedAt
    }
}

/// One link URL and the browser steps it starts.
public struct LinkFlow: Sendable, Equatable {
    /// The SHA-256 of the secret in the link URL (the URL itself is never stored).
    public var id: String
    public var subject: String
    public var connector: String
    public var elicitationID: String
    public var createdAt: Int64
    public var expiresAt: Int64
    /// What the web flow keeps between steps (never a credential).
    public var data: String

    public init(id: String, subject: String, connector: String, elicitationID: String, createdAt: Int64, expiresAt: Int64, data: String) {
        self.id = id
        self.subject = subject
        self.connector = connector
        self.elicitationID = elicitationID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.data = data
    }
}
