import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle

/// The store in PostgreSQL, for several gateway replicas sharing one set of
/// clients, codes, grants and signing keys. The same tables and migration
/// steps as ``SQLiteAuthStore``; every single-use claim is one `UPDATE …
/// RETURNING` (or a transaction), so it holds across processes, not just
/// across tasks.
///
/// ## Lifetime
///
/// ``PostgresClient`` is a connection pool whose background work (opening,
/// keeping alive and closing connections) runs inside its `run()`, a task
/// that its owner supplies; cancelling that task closes the pool. The store
/// keeps that design rather than hiding an unstructured task behind a
/// `connect`/`close` pair: it is a swift-service-lifecycle `Service`, so the
/// gateway's service group runs it (and shuts it down gracefully) beside the
/// HTTP server. Create it, start ``run()`` in the group or a task group, then
/// ``migrate()``; queries wait for the pool until `run()` has started.
/// ``withRunningPool(_:)`` does that for one-shot callers such as tests and
/// command-line tools. A store runs once: a cancelled pool does not reopen.
public final class PostgresAuthStore: AuthStore, Service {
    let client: PostgresClient
    let logger: Logger

    public init(configuration: PostgresClient.Configuration, logger: Logger) {
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    /// A store for `postgres://user:password@host:port/database` (see ``PostgresURL``).
    public convenience init(url: String, logger: Logger) throws {
        self.init(configuration: try PostgresURL.configuration(url), logger: logger)
    }

    /// Runs the connection pool until cancelled or until graceful shutdown.
    public func run() async {
        await client.run()
    }

    /// Runs the pool for the length of `body`, then closes it.
    public func withRunningPool<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.run() }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    // MARK: Schema

    static let migrations = AuthSchema.migrations(.postgres)

    /// The advisory lock every migration holds: an arbitrary constant that
    /// no other part of the gateway uses ("GATEHOUS" in ASCII).
    static let migrationLock: Int64 = 0x4741_5445_484F_5553

    /// All pending steps in one transaction (PostgreSQL's DDL is
    /// transactional, so a failed step leaves nothing behind). Replicas that
    /// start together queue on the advisory lock, taken before the version
    /// table is even created; each then sees what the one before committed.
    public func migrate() async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
            try await connection.query("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", logger: logger)
            let rows = try await connection.query("SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_version", logger: logger)
            var current: Int64 = 0
            for try await version in rows.decode(Int64.self) { current = version }
            for (index, steps) in Self.migrations.enumerated() where Int64(index + 1) > current {
                for step in steps { try await connection.query(PostgresQuery(unsafeSQL: step), logger: logger) }
                try await connection.query("INSERT INTO schema_version (version) VALUES (\(Int32(index + 1)))", logger: logger)
            }
        }
    }

    // MARK: Clients

    public func saveClient(_ stored: StoredClient) async throws {
        let client = stored.client
        try await self.client.query(
            """
            INSERT INTO clients (client_id, origin, name, redirect_uris, token_endpoint_auth_method, grant_types,
                client_uri, logo_uri, scope, issued_at, secret_hash)
            VALUES (\(client.clientID), \(client.origin.rawValue), \(client.name), \(Self.list(client.redirectURIs)),
                \(client.tokenEndpointAuthMethod), \(Self.list(client.grantTypes)), \(client.clientURI),
                \(client.logoURI), \(client.scope), \(client.issuedAt), \(stored.secretHash))
            ON CONFLICT (client_id) DO UPDATE SET origin = EXCLUDED.origin, name = EXCLUDED.name,
                redirect_uris = EXCLUDED.redirect_uris, token_endpoint_auth_method = EXCLUDED.token_endpoint_auth_method,
                grant_types = EXCLUDED.grant_types, client_uri = EXCLUDED.client_uri, logo_uri = EXCLUDED.logo_uri,
                scope = EXCLUDED.scope, issued_at = EXCLUDED.issued_at, secret_hash = EXCLUDED.secret_hash
            """,
            logger: logger)
    }

    public func client(id: String) async throws -> StoredClient? {
        guard let row = try await first("SELECT * FROM clients WHERE client_id = \(id)") else { return nil }
        return try Self.storedClient(row)
    }

    public func clients(limit: Int) async throws -> [StoredClient] {
        try await client.query("SELECT * FROM clients ORDER BY issued_at DESC NULLS LAST LIMIT \(limit)", logger: logger).collect()
            .compactMap { try Self.storedClient($0.makeRandomAccess()) }
    }

    public func activeGrants(limit: Int) async throws -> [GrantRecord] {
        try await client.query("SELECT * FROM grants WHERE revoked_at IS NULL ORDER BY created_at DESC LIMIT \(limit)", logger: logger)
            .collect().map { try Self.grant($0.makeRandomAccess()) }
    }

    static func storedClient(_ row: PostgresRandomAccessRow) throws -> StoredClient? {
        guard let origin = RegisteredClient.Origin(rawValue: try row["origin"].decode(String.self)) else { return nil }
        let id = try row["client_id"].decode(String.self)
        let client = RegisteredClient(
            clientID: id, origin: origin, name: try row["name"].decode(String?.self),
            redirectURIs: Self.list(try row["redirect_uris"].decode(String.self)),
            tokenEndpointAuthMethod: try row["token_endpoint_auth_method"].decode(String.self),
            grantTypes: Self.list(try row["grant_types"].decode(String.self)),
            clientURI: try row["client_uri"].decode(String?.self), logoURI: try row["logo_uri"].decode(String?.self),
            scope: try row["scope"].decode(String?.self), issuedAt: try row["issued_at"].decode(Int64?.self))
        return StoredClient(client: client, secretHash: try row["secret_hash"].decode(String?.self))
    }

    // MARK: Codes

    public func saveCode(_ code: AuthorizationCodeRecord) async throws {
        try await client.query(
            """
            INSERT INTO codes (hash, client_id, redirect_uri, code_challenge, resource, scopes, subject, claims, expires_at)
            VALUES (\(code.hash), \(code.clientID), \(code.redirectURI), \(code.codeChallenge), \(code.resource),
                \(code.scopes.joined(separator: " ")), \(code.subject), \(code.claimsJSON), \(code.expiresAt))
            """,
            logger: logger)
    }

    public func consumeCode(hash: String, now: Int64) async throws -> CodeConsumption {
        // One statement marks the code used only if it was not. A second
        // exchange, from any replica, waits on the row lock and then finds
        // `used_at` set, so exactly one wins.
        if let row = try await first("UPDATE codes SET used_at = \(now) WHERE hash = \(hash) AND used_at IS NULL RETURNING *") {
            return .fresh(try Self.code(row))
        }
        guard let row = try await first("SELECT * FROM codes WHERE hash = \(hash)") else { return .unknown }
        return .reused(try Self.code(row))
    }

    public func attach(grantID: String, toCode hash: String) async throws {
        try await client.query("UPDATE codes SET grant_id = \(grantID) WHERE hash = \(hash)", logger: logger)
    }

    static func code(_ row: PostgresRandomAccessRow) throws -> AuthorizationCodeRecord {
        AuthorizationCodeRecord(
            hash: try row["hash"].decode(String.self), clientID: try row["client_id"].decode(String.self),
            redirectURI: try row["redirect_uri"].decode(String.self), codeChallenge: try row["code_challenge"].decode(String.self),
            resource: try row["resource"].decode(String.self), scopes: Self.words(try row["scopes"].decode(String.self)),
            subject: try row["subject"].decode(String.self), claimsJSON: try row["claims"].decode(String.self),
            expiresAt: try row["expires_at"].decode(Int64.self), grantID: try row["grant_id"].decode(String?.self))
    }

    // MARK: Grants and refresh tokens

    public func saveGrant(_ grant: GrantRecord) async throws {
        try await client.query(
            """
            INSERT INTO grants (id, client_id, subject, scopes, resource, claims, created_at, revoked_at)
            VALUES (\(grant.id), \(grant.clientID), \(grant.subject), \(grant.scopes.joined(separator: " ")), \(grant.resource),
                \(grant.claimsJSON), \(grant.createdAt), \(grant.revokedAt))
            """,
            logger: logger)
    }

    public func grant(id: String) async throws -> GrantRecord? {
        try await first("SELECT * FROM grants WHERE id = \(id)").map(Self.grant)
    }

    static func grant(_ row: PostgresRandomAccessRow) throws -> GrantRecord {
        GrantRecord(
            id: try row["id"].decode(String.self), clientID: try row["client_id"].decode(String.self),
            subject: try row["subject"].decode(String.self), scopes: Self.words(try row["scopes"].decode(String.self)),
            resource: try row["resource"].decode(String.self), claimsJSON: try row["claims"].decode(String.self),
            createdAt: try row["created_at"].decode(Int64.self), revokedAt: try row["revoked_at"].decode(Int64?.self))
    }

    public func revokeGrant(id: String, now: Int64) async throws {
        try await client.query(Self.revoke(grantID: id, now: now), logger: logger)
    }

    static func revoke(grantID: String, now: Int64) -> PostgresQuery {
        "UPDATE grants SET revoked_at = \(now) WHERE id = \(grantID) AND revoked_at IS NULL"
    }

    public func grantID(forRefreshToken hash: String) async throws -> String? {
        try await first("SELECT grant_id FROM refresh_tokens WHERE hash = \(hash)").map { try $0["grant_id"].decode(String.self) }
    }

    public func revokeGrants(subject: String?, clientID: String?, now: Int64) async throws -> Int {
        guard subject != nil || clientID != nil else { return 0 }
        // A missing filter is a NULL parameter that matches every row, so
        // the statement stays fixed and every value stays a bind.
        let rows = try await client.query(
            """
            UPDATE grants SET revoked_at = \(now)
            WHERE revoked_at IS NULL AND (\(subject)::TEXT IS NULL OR subject = \(subject))
                AND (\(clientID)::TEXT IS NULL OR client_id = \(clientID))
            RETURNING id
            """,
            logger: logger)
        return try await rows.collect().count
    }

    public func saveRefreshToken(hash: String, grantID: String, expiresAt: Int64) async throws {
        try await client.query(
            "INSERT INTO refresh_tokens (hash, grant_id, expires_at) VALUES (\(hash), \(grantID), \(expiresAt))", logger: logger)
    }

    /// The claim, the checks and the replacement in one transaction: a
    /// failure anywhere leaves the old token usable, and a revocation racing
    /// the rotation (it waits on the grant row read `FOR SHARE`) lands
    /// either before, and is seen, or after, and covers the new token too.
    public func rotateRefreshToken(hash: String, replacement: String, expiresAt: Int64, now: Int64) async throws -> RefreshRotation {
        try await client.withTransaction(logger: logger) { connection -> RefreshRotation in
            let claimed = try await connection.query(
                "UPDATE refresh_tokens SET rotated_at = \(now) WHERE hash = \(hash) AND rotated_at IS NULL RETURNING grant_id, expires_at",
                logger: logger)
            var claim: (grantID: String, expiresAt: Int64)?
            for try await (grantID, tokenExpiry) in claimed.decode((String, Int64).self) { claim = (grantID, tokenExpiry) }
            guard let claim else {
                let old = try await connection.query("SELECT grant_id FROM refresh_tokens WHERE hash = \(hash)", logger: logger)
                var family: String?
                for try await grantID in old.decode(String.self) { family = grantID }
                guard let family else { return .unknown }
                // A rotated token came back: whoever holds the family is not
                // trustworthy any more, so all of it goes.
                try await connection.query(Self.revoke(grantID: family, now: now), logger: logger)
                return .reused(grantID: family)
            }
            guard claim.expiresAt > now else { return .expired }
            let rows = try await connection.query("SELECT * FROM grants WHERE id = \(claim.grantID) FOR SHARE", logger: logger)
            guard let row = try await rows.collect().first else { return .unknown }
            let grant = try Self.grant(row.makeRandomAccess())
            guard grant.revokedAt == nil else { return .revoked }
            try await connection.query(
                "INSERT INTO refresh_tokens (hash, grant_id, expires_at) VALUES (\(replacement), \(claim.grantID), \(expiresAt))",
                logger: logger)
            return .rotated(grant)
        }
    }

    // MARK: Pending authorizations

    public func savePending(_ pending: PendingAuthorization) async throws {
        try await client.query(
            """
            INSERT INTO pending_authorizations (id, client_id, redirect_uri, state, code_challenge, resource, scopes, csrf_hash,
                created_at, expires_at)
            VALUES (\(pending.id), \(pending.clientID), \(pending.redirectURI), \(pending.state), \(pending.codeChallenge),
                \(pending.resource), \(pending.scopes.joined(separator: " ")), \(pending.csrfHash), \(pending.createdAt),
                \(pending.expiresAt))
            """,
            logger: logger)
    }

    public func pending(id: String) async throws -> PendingAuthorization? {
        try await first("SELECT * FROM pending_authorizations WHERE id = \(id)").map(Self.pending)
    }

    public func approvePending(id: String, upstreamStateHash: String, nonce: String, upstreamVerifier: String, now: Int64) async throws
        -> Bool
    {
        try await first(
            """
            UPDATE pending_authorizations SET approved_at = \(now), upstream_state_hash = \(upstreamStateHash), nonce = \(nonce),
                upstream_verifier = \(upstreamVerifier)
            WHERE id = \(id) AND approved_at IS NULL AND expires_at > \(now) RETURNING id
            """) != nil
    }

    public func takePending(upstreamStateHash: String, now: Int64) async throws -> PendingAuthorization? {
        try await first(
            """
            UPDATE pending_authorizations SET taken_at = \(now)
            WHERE upstream_state_hash = \(upstreamStateHash) AND taken_at IS NULL AND expires_at > \(now) RETURNING *
            """
        ).map(Self.pending)
    }

    public func deletePending(id: String) async throws {
        try await client.query("DELETE FROM pending_authorizations WHERE id = \(id)", logger: logger)
    }

    static func pending(_ row: PostgresRandomAccessRow) throws -> PendingAuthorization {
        PendingAuthorization(
            id: try row["id"].decode(String.self), clientID: try row["client_id"].decode(String.self),
            redirectURI: try row["redirect_uri"].decode(String.self), state: try row["state"].decode(String?.self),
            codeChallenge: try row["code_challenge"].decode(String.self), resource: try row["resource"].decode(String.self),
            scopes: Self.words(try row["scopes"].decode(String.self)), csrfHash: try row["csrf_hash"].decode(String.self),
            createdAt: try row["created_at"].decode(Int64.self), expiresAt: try row["expires_at"].decode(Int64.self),
            nonce: try row["nonce"].decode(String?.self), upstreamVerifier: try row["upstream_verifier"].decode(String?.self))
    }

    // MARK: Signing keys

    public func signingKeys() async throws -> [StoredSigningKey] {
        let rows = try await client.query(
            "SELECT kid, sealed_private_key, created_at FROM signing_keys ORDER BY created_at DESC", logger: logger)
        var keys: [StoredSigningKey] = []
        for try await (kid, sealed, createdAt) in rows.decode((String, ByteBuffer, Int64).self) {
            keys.append(StoredSigningKey(kid: kid, sealedPrivateKey: Array(sealed.readableBytesView), createdAt: createdAt))
        }
        return keys
    }

    public func saveUpstreamTokens(subject: String, sealed: [UInt8], updatedAt: Int64) async throws {
        try await client.query(
            """
            INSERT INTO upstream_tokens (subject, sealed, updated_at) VALUES (\(subject), \(ByteBuffer(bytes: sealed)), \(updatedAt))
            ON CONFLICT (subject) DO UPDATE SET sealed = EXCLUDED.sealed, updated_at = EXCLUDED.updated_at
            """,
            logger: logger)
    }

    public func upstreamTokens(subject: String) async throws -> [UInt8]? {
        try await first("SELECT sealed FROM upstream_tokens WHERE subject = \(subject)").map {
            Array(try $0["sealed"].decode(ByteBuffer.self).readableBytesView)
        }
    }

    /// Writers take the table lock first, so two replicas rotating keys at
    /// once leave one set or the other, never a mix; readers are not held up.
    public func replaceSigningKeys(_ keys: [StoredSigningKey]) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE", logger: logger)
            try await connection.query("DELETE FROM signing_keys", logger: logger)
            for key in keys {
                try await connection.query(
                    """
                    INSERT INTO signing_keys (kid, sealed_private_key, created_at)
                    VALUES (\(key.kid), \(ByteBuffer(bytes: key.sealedPrivateKey)), \(key.createdAt))
                    """,
                    logger: logger)
            }
        }
    }

    // MARK: Rows

    /// The first row of a statement's result, by column name; the rest of
    /// the result is read too, which hands the connection back to the pool.
    func first(_ query: PostgresQuery) async throws -> PostgresRandomAccessRow? {
        try await client.query(query, logger: logger).collect().first?.makeRandomAccess()
    }
}
