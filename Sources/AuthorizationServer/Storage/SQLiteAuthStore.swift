import Foundation
import NIOCore
import SQLiteNIO

/// The store in one SQLite file: the default for a single process (mount a
/// volume for it in a container).
public final class SQLiteAuthStore: AuthStore {
    let connection: SQLiteConnection

    public static func open(path: String) async throws -> SQLiteAuthStore {
        let connection = try await SQLiteConnection.open(storage: path == ":memory:" ? .memory : .file(path: path))
        _ = try await connection.query("PRAGMA journal_mode = WAL", [])
        _ = try await connection.query("PRAGMA foreign_keys = ON", [])
        _ = try await connection.query("PRAGMA busy_timeout = 5000", [])
        return SQLiteAuthStore(connection: connection)
    }

    init(connection: SQLiteConnection) {
        self.connection = connection
    }

    public func close() async throws { try await connection.close() }

    // MARK: Schema

    static let migrations = AuthSchema.migrations(.sqlite)

    public func migrate() async throws {
        _ = try await connection.query("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", [])
        let rows = try await connection.query("SELECT MAX(version) AS version FROM schema_version", [])
        let current = Int(rows.first?.column("version")?.integer ?? 0)
        for (index, migration) in Self.migrations.enumerated() where index + 1 > current {
            _ = try await connection.query("BEGIN IMMEDIATE", [])
            do {
                for statement in migration { _ = try await connection.query(statement, []) }
                _ = try await connection.query("INSERT INTO schema_version (version) VALUES (?)", [.integer(index + 1)])
                _ = try await connection.query("COMMIT", [])
            } catch {
                _ = try? await connection.query("ROLLBACK", [])
                throw error
            }
        }
    }

    // MARK: Clients

    public func saveClient(_ stored: StoredClient) async throws {
        let client = stored.client
        _ = try await connection.query(
            """
            INSERT OR REPLACE INTO clients (client_id, origin, name, redirect_uris, token_endpoint_auth_method, grant_types,
                client_uri, logo_uri, scope, issued_at, secret_hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(client.clientID), .text(client.origin.rawValue), .optional(client.name),
                .text(Self.list(client.redirectURIs)), .text(client.tokenEndpointAuthMethod), .text(Self.list(client.grantTypes)),
                .optional(client.clientURI), .optional(client.logoURI), .optional(client.scope),
                client.issuedAt.map { .integer(Int($0)) } ?? .null, .optional(stored.secretHash),
            ])
    }

    public func client(id: String) async throws -> StoredClient? {
        try await connection.query("SELECT * FROM clients WHERE client_id = ?", [.text(id)]).first.flatMap(Self.storedClient)
    }

    public func clients(limit: Int) async throws -> [StoredClient] {
        try await connection.query("SELECT * FROM clients ORDER BY issued_at DESC LIMIT ?", [.integer(limit)]).compactMap(Self.storedClient)
    }

    public func activeGrants(limit: Int) async throws -> [GrantRecord] {
        try await connection.query(
            "SELECT * FROM grants WHERE revoked_at IS NULL ORDER BY created_at DESC LIMIT ?", [.integer(limit)]
        ).map(Self.grant)
    }

    static func storedClient(_ row: SQLiteRow) -> StoredClient? {
        guard let id = row.column("client_id")?.string, let origin = row.column("origin")?.string.flatMap(RegisteredClient.Origin.init(rawValue:))
        else { return nil }
        let client = RegisteredClient(
            clientID: id, origin: origin, name: row.column("name")?.string,
            redirectURIs: Self.list(row.column("redirect_uris")?.string),
            tokenEndpointAuthMethod: row.column("token_endpoint_auth_method")?.string ?? "none",
            grantTypes: Self.list(row.column("grant_types")?.string), clientURI: row.column("client_uri")?.string,
            logoURI: row.column("logo_uri")?.string, scope: row.column("scope")?.string,
            issuedAt: row.column("issued_at")?.integer.map(Int64.init))
        return StoredClient(client: client, secretHash: row.column("secret_hash")?.string)
    }

    // MARK: Codes

    public func saveCode(_ code: AuthorizationCodeRecord) async throws {
        _ = try await connection.query(
            """
            INSERT INTO codes (hash, client_id, redirect_uri, code_challenge, resource, scopes, subject, claims, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(code.hash), .text(code.clientID), .text(code.redirectURI), .text(code.codeChallenge), .text(code.resource),
                .text(code.scopes.joined(separator: " ")), .text(code.subject), .text(code.claimsJSON), .integer(Int(code.expiresAt)),
            ])
    }

    public func consumeCode(hash: String, now: Int64) async throws -> CodeConsumption {
        // One statement marks the code used only if it was not, so two
        // exchanges racing for one code cannot both win.
        let claimed = try await connection.query(
            "UPDATE codes SET used_at = ? WHERE hash = ? AND used_at IS NULL RETURNING *", [.integer(Int(now)), .text(hash)])
        if let row = claimed.first { return .fresh(Self.code(row)) }
        guard let row = try await connection.query("SELECT * FROM codes WHERE hash = ?", [.text(hash)]).first else { return .unknown }
        return .reused(Self.code(row))
    }

    /// Remembers which grant a code produced, so a replay can revoke it.
    public func attach(grantID: String, toCode hash: String) async throws {
        _ = try await connection.query("UPDATE codes SET grant_id = ? WHERE hash = ?", [.text(grantID), .text(hash)])
    }

    static func code(_ row: SQLiteRow) -> AuthorizationCodeRecord {
        AuthorizationCodeRecord(
            hash: row.column("hash")?.string ?? "", clientID: row.column("client_id")?.string ?? "",
            redirectURI: row.column("redirect_uri")?.string ?? "", codeChallenge: row.column("code_challenge")?.string ?? "",
            resource: row.column("resource")?.string ?? "", scopes: words(row.column("scopes")?.string),
            subject: row.column("subject")?.string ?? "", claimsJSON: row.column("claims")?.string ?? "{}",
            expiresAt: Int64(row.column("expires_at")?.integer ?? 0), grantID: row.column("grant_id")?.string)
    }

    // MARK: Grants and refresh tokens

    public func saveGrant(_ grant: GrantRecord) async throws {
        _ = try await connection.query(
            """
            INSERT INTO grants (id, client_id, subject, scopes, resource, claims, created_at, revoked_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(grant.id), .text(grant.clientID), .text(grant.subject), .text(grant.scopes.joined(separator: " ")),
                .text(grant.resource), .text(grant.claimsJSON), .integer(Int(grant.createdAt)),
                grant.revokedAt.map { .integer(Int($0)) } ?? .null,
            ])
    }

    public func grant(id: String) async throws -> GrantRecord? {
        try await connection.query("SELECT * FROM grants WHERE id = ?", [.text(id)]).first.map(Self.grant)
    }

    static func grant(_ row: SQLiteRow) -> GrantRecord {
        GrantRecord(
            id: row.column("id")?.string ?? "", clientID: row.column("client_id")?.string ?? "",
            subject: row.column("subject")?.string ?? "", scopes: words(row.column("scopes")?.string),
            resource: row.column("resource")?.string ?? "", claimsJSON: row.column("claims")?.string ?? "{}",
            createdAt: Int64(row.column("created_at")?.integer ?? 0), revokedAt: row.column("revoked_at")?.integer.map(Int64.init))
    }

    public func revokeGrant(id: String, now: Int64) async throws {
        _ = try await connection.query(
            "UPDATE grants SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [.integer(Int(now)), .text(id)])
    }

    public func grantID(forRefreshToken hash: String) async throws -> String? {
        try await connection.query("SELECT grant_id FROM refresh_tokens WHERE hash = ?", [.text(hash)]).first?.column("grant_id")?.string
    }

    public func revokeGrants(subject: String?, clientID: String?, now: Int64) async throws -> Int {
        guard subject != nil || clientID != nil else { return 0 }
        var conditions = ["revoked_at IS NULL"]
        var binds: [SQLiteData] = [.integer(Int(now))]
        if let subject { conditions.append("subject = ?"); binds.append(.text(subject)) }
        if let clientID { conditions.append("client_id = ?"); binds.append(.text(clientID)) }
        let rows = try await connection.query(
            "UPDATE grants SET revoked_at = ? WHERE \(conditions.joined(separator: " AND ")) RETURNING id", binds)
        return rows.count
    }

    public func saveRefreshToken(hash: String, grantID: String, expiresAt: Int64) async throws {
        _ = try await connection.query(
            "INSERT INTO refresh_tokens (hash, grant_id, expires_at) VALUES (?, ?, ?)",
            [.text(hash), .text(grantID), .integer(Int(expiresAt))])
    }

    public func rotateRefreshToken(hash: String, replacement: String, expiresAt: Int64, now: Int64) async throws -> RefreshRotation {
        let claimed = try await connection.query(
            "UPDATE refresh_tokens SET rotated_at = ? WHERE hash = ? AND rotated_at IS NULL RETURNING grant_id, expires_at",
            [.integer(Int(now)), .text(hash)])
        guard let row = claimed.first, let grantID = row.column("grant_id")?.string else {
            guard let old = try await connection.query("SELECT grant_id FROM refresh_tokens WHERE hash = ?", [.text(hash)]).first,
                let grantID = old.column("grant_id")?.string
            else { return .unknown }
            // A rotated token came back: whoever holds the family is not
            // trustworthy any more, so all of it goes.
            try await revokeGrant(id: grantID, now: now)
            return .reused(grantID: grantID)
        }
        guard Int64(row.column("expires_at")?.integer ?? 0) > now else { return .expired }
        guard let grant = try await grant(id: grantID) else { return .unknown }
        guard grant.revokedAt == nil else { return .revoked }
        try await saveRefreshToken(hash: replacement, grantID: grantID, expiresAt: expiresAt)
        return .rotated(grant)
    }

    // MARK: Pending authorizations

    public func savePending(_ pending: PendingAuthorization) async throws {
        _ = try await connection.query(
            """
            INSERT INTO pending_authorizations (id, client_id, redirect_uri, state, code_challenge, resource, scopes, csrf_hash,
                created_at, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(pending.id), .text(pending.clientID), .text(pending.redirectURI), .optional(pending.state),
                .text(pending.codeChallenge), .text(pending.resource), .text(pending.scopes.joined(separator: " ")),
                .text(pending.csrfHash), .integer(Int(pending.createdAt)), .integer(Int(pending.expiresAt)),
            ])
    }

    public func pending(id: String) async throws -> PendingAuthorization? {
        try await connection.query("SELECT * FROM pending_authorizations WHERE id = ?", [.text(id)]).first.map(Self.pending)
    }

    public func approvePending(id: String, upstreamStateHash: String, nonce: String, upstreamVerifier: String, now: Int64) async throws
        -> Bool
    {
        let rows = try await connection.query(
            """
            UPDATE pending_authorizations SET approved_at = ?, upstream_state_hash = ?, nonce = ?, upstream_verifier = ?
            WHERE id = ? AND approved_at IS NULL AND expires_at > ? RETURNING id
            """,
            [.integer(Int(now)), .text(upstreamStateHash), .text(nonce), .text(upstreamVerifier), .text(id), .integer(Int(now))])
        return !rows.isEmpty
    }

    public func takePending(upstreamStateHash: String, now: Int64) async throws -> PendingAuthorization? {
        try await connection.query(
            """
            UPDATE pending_authorizations SET taken_at = ?
            WHERE upstream_state_hash = ? AND taken_at IS NULL AND expires_at > ? RETURNING *
            """,
            [.integer(Int(now)), .text(upstreamStateHash), .integer(Int(now))]
        ).first.map(Self.pending)
    }

    public func deletePending(id: String) async throws {
        _ = try await connection.query("DELETE FROM pending_authorizations WHERE id = ?", [.text(id)])
    }

    static func pending(_ row: SQLiteRow) -> PendingAuthorization {
        PendingAuthorization(
            id: row.column("id")?.string ?? "", clientID: row.column("client_id")?.string ?? "",
            redirectURI: row.column("redirect_uri")?.string ?? "", state: row.column("state")?.string,
            codeChallenge: row.column("code_challenge")?.string ?? "", resource: row.column("resource")?.string ?? "",
            scopes: words(row.column("scopes")?.string), csrfHash: row.column("csrf_hash")?.string ?? "",
            createdAt: Int64(row.column("created_at")?.integer ?? 0), expiresAt: Int64(row.column("expires_at")?.integer ?? 0),
            nonce: row.column("nonce")?.string, upstreamVerifier: row.column("upstream_verifier")?.string)
    }

    // MARK: Signing keys

    public func signingKeys() async throws -> [StoredSigningKey] {
        try await connection.query("SELECT * FROM signing_keys ORDER BY created_at DESC", []).compactMap { row in
            guard let kid = row.column("kid")?.string, case .blob(var buffer)? = row.column("sealed_private_key") else { return nil }
            return StoredSigningKey(
                kid: kid, sealedPrivateKey: buffer.readBytes(length: buffer.readableBytes) ?? [],
                createdAt: Int64(row.column("created_at")?.integer ?? 0))
        }
    }

    public func saveUpstreamTokens(subject: String, sealed: [UInt8], updatedAt: Int64) async throws {
        _ = try await connection.query(
            "INSERT OR REPLACE INTO upstream_tokens (subject, sealed, updated_at) VALUES (?, ?, ?)",
            [.text(subject), .blob(ByteBuffer(bytes: sealed)), .integer(Int(updatedAt))])
    }

    public func upstreamTokens(subject: String) async throws -> [UInt8]? {
        guard case .blob(var buffer)? = try await connection.query(
            "SELECT sealed FROM upstream_tokens WHERE subject = ?", [.text(subject)]
        ).first?.column("sealed") else { return nil }
        return buffer.readBytes(length: buffer.readableBytes)
    }

    public func replaceSigningKeys(_ keys: [StoredSigningKey]) async throws {
        _ = try await connection.query("BEGIN IMMEDIATE", [])
        do {
            _ = try await connection.query("DELETE FROM signing_keys", [])
            for key in keys {
                _ = try await connection.query(
                    "INSERT INTO signing_keys (kid, sealed_private_key, created_at) VALUES (?, ?, ?)",
                    [.text(key.kid), .blob(ByteBuffer(bytes: key.sealedPrivateKey)), .integer(Int(key.createdAt))])
            }
            _ = try await connection.query("COMMIT", [])
        } catch {
            _ = try? await connection.query("ROLLBACK", [])
            throw error
        }
    }
}

extension SQLiteData {
    static func optional(_ text: String?) -> SQLiteData { text.map { .text($0) } ?? .null }
}
