import NIOCore
import SQLiteNIO

extension SQLiteAuthStore {
    public func saveUserCredential(subject: String, connector: String, kind: String, sealed: [UInt8], now: Int64) async throws
        -> StoredUserCredential
    {
        let rows = try await connection.query(
            """
            INSERT INTO user_credentials (subject, connector, kind, sealed, version, updated_at) VALUES (?, ?, ?, ?, 1, ?)
            ON CONFLICT (subject, connector) DO UPDATE SET kind = excluded.kind, sealed = excluded.sealed,
                version = user_credentials.version + 1, updated_at = excluded.updated_at
            RETURNING *
            """,
            [.text(subject), .text(connector), .text(kind), .blob(ByteBuffer(bytes: sealed)), .integer(Int(now))])
        guard let row = rows.first.flatMap(Self.userCredential) else { throw StoreFailure.unexpected("user credential not written") }
        return row
    }

    public func userCredential(subject: String, connector: String) async throws -> StoredUserCredential? {
        try await connection.query(
            "SELECT * FROM user_credentials WHERE subject = ? AND connector = ?", [.text(subject), .text(connector)]
        ).first.flatMap(Self.userCredential)
    }

    public func userCredentials(subject: String) async throws -> [StoredUserCredential] {
        try await connection.query("SELECT * FROM user_credentials WHERE subject = ? ORDER BY connector", [.text(subject)])
            .compactMap(Self.userCredential)
    }

    public func recentUserCredentials(limit: Int) async throws -> [StoredUserCredential] {
        try await connection.query("SELECT * FROM user_credentials ORDER BY updated_at DESC LIMIT ?", [.integer(limit)])
            .compactMap(Self.userCredential)
    }

    public func replaceUserCredential(subject: String, connector: String, expectedVersion: Int64, sealed: [UInt8], now: Int64)
        async throws -> StoredUserCredential?
    {
        try await connection.query(
            """
            UPDATE user_credentials SET sealed = ?, version = version + 1, updated_at = ?
            WHERE subject = ? AND connector = ? AND version = ? RETURNING *
            """,
            [.blob(ByteBuffer(bytes: sealed)), .integer(Int(now)), .text(subject), .text(connector), .integer(Int(expectedVersion))]
        ).first.flatMap(Self.userCredential)
    }

    public func deleteUserCredentials(subject: String, connector: String?) async throws -> Int {
        if let connector {
            return try await connection.query(
                "DELETE FROM user_credentials WHERE subject = ? AND connector = ? RETURNING connector", [.text(subject), .text(connector)]
            ).count
        }
        return try await connection.query("DELETE FROM user_credentials WHERE subject = ? RETURNING connector", [.text(subject)]).count
    }

    static func userCredential(_ row: SQLiteRow) -> StoredUserCredential? {
        guard let subject = row.column("subject")?.string, let connector = row.column("connector")?.string,
            case .blob(var buffer)? = row.column("sealed")
        else { return nil }
        return StoredUserCredential(
            subject: subject, connector: connector, kind: row.column("kind")?.string ?? "",
            sealed: buffer.readBytes(length: buffer.readableBytes) ?? [], version: Int64(row.column("version")?.integer ?? 0),
            updatedAt: Int64(row.column("updated_at")?.integer ?? 0))
    }

    // MARK: Link flows

    public func saveLinkFlow(_ flow: LinkFlow) async throws {
        // Flows that ended long ago go on the way: nothing else cleans them up.
        _ = try await connection.query("DELETE FROM link_flows WHERE expires_at < ?", [.integer(Int(flow.createdAt - 86_400))])
        _ = try await connection.query(
            """
            INSERT INTO link_flows (id, subject, connector, elicitation_id, created_at, expires_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(flow.id), .text(flow.subject), .text(flow.connector), .text(flow.elicitationID), .integer(Int(flow.createdAt)),
                .integer(Int(flow.expiresAt)), .text(flow.data),
            ])
    }

    public func openLinkFlow(id: String, now: Int64) async throws -> LinkFlow? {
        try await connection.query(
            """
            UPDATE link_flows SET opened_at = ?
            WHERE id = ? AND opened_at IS NULL AND finished_at IS NULL AND expires_at > ? RETURNING *
            """,
            [.integer(Int(now)), .text(id), .integer(Int(now))]
        ).first.map(Self.linkFlow)
    }

    public func advanceLinkFlow(id: String, stateHash: String, data: String, now: Int64) async throws -> Bool {
        !(try await connection.query(
            """
            UPDATE link_flows SET state_hash = ?, data = ?
            WHERE id = ? AND finished_at IS NULL AND expires_at > ? RETURNING id
            """,
            [.text(stateHash), .text(data), .text(id), .integer(Int(now))]
        ).isEmpty)
    }

    public func takeLinkFlow(stateHash: String, now: Int64) async throws -> LinkFlow? {
        try await connection.query(
            """
            UPDATE link_flows SET state_hash = NULL
            WHERE state_hash = ? AND finished_at IS NULL AND expires_at > ? RETURNING *
            """,
            [.text(stateHash), .integer(Int(now))]
        ).first.map(Self.linkFlow)
    }

    public func linkFlow(id: String) async throws -> LinkFlow? {
        try await connection.query("SELECT * FROM link_flows WHERE id = ?", [.text(id)]).first.map(Self.linkFlow)
    }

    public func finishLinkFlow(id: String, now: Int64) async throws {
        _ = try await connection.query(
            "UPDATE link_flows SET finished_at = ?, state_hash = NULL WHERE id = ? AND finished_at IS NULL", [.integer(Int(now)), .text(id)])
    }

    static func linkFlow(_ row: SQLiteRow) -> LinkFlow {
        LinkFlow(
            id: row.column("id")?.string ?? "", subject: row.column("subject")?.string ?? "",
            connector: row.column("connector")?.string ?? "", elicitationID: row.column("elicitation_id")?.string ?? "",
            createdAt: Int64(row.column("created_at")?.integer ?? 0), expiresAt: Int64(row.column("expires_at")?.integer ?? 0),
            data: row.column("data")?.string ?? "{}")
    }
}

/// A store answer that cannot happen unless the database misbehaves.
enum StoreFailure: Error, CustomStringConvertible {
    case unexpected(String)

    var description: String {
        switch self {
        case .unexpected(let what): "the store answered unexpectedly: \(what)"
        }
    }
}

extension SQLiteAuthStore {
    public func sealedRecords() async throws -> [(SealedRecord, [UInt8])] {
        var records: [(SealedRecord, [UInt8])] = []
        func bytes(_ row: SQLiteRow, _ column: String) -> [UInt8]? {
            guard case .blob(var buffer)? = row.column(column) else { return nil }
            return buffer.readBytes(length: buffer.readableBytes)
        }
        for row in try await connection.query("SELECT kid, sealed_private_key FROM signing_keys", []) {
            if let kid = row.column("kid")?.string, let sealed = bytes(row, "sealed_private_key") { records.append((.signingKey(kid: kid), sealed)) }
        }
        for row in try await connection.query("SELECT subject, sealed FROM upstream_tokens", []) {
            if let subject = row.column("subject")?.string, let sealed = bytes(row, "sealed") {
                records.append((.upstreamTokens(subject: subject), sealed))
            }
        }
        for row in try await connection.query("SELECT subject, connector, sealed FROM user_credentials", []) {
            if let subject = row.column("subject")?.string, let connector = row.column("connector")?.string, let sealed = bytes(row, "sealed") {
                records.append((.userCredential(subject: subject, connector: connector), sealed))
            }
        }
        return records
    }

    public func replaceSealed(_ record: SealedRecord, sealed: [UInt8]) async throws {
        let blob = SQLiteData.blob(ByteBuffer(bytes: sealed))
        switch record {
        case .signingKey(let kid):
            _ = try await connection.query("UPDATE signing_keys SET sealed_private_key = ? WHERE kid = ?", [blob, .text(kid)])
        case .upstreamTokens(let subject):
            _ = try await connection.query("UPDATE upstream_tokens SET sealed = ? WHERE subject = ?", [blob, .text(subject)])
        case .userCredential(let subject, let connector):
            _ = try await connection.query(
                "UPDATE user_credentials SET sealed = ? WHERE subject = ? AND connector = ?", [blob, .text(subject), .text(connector)])
        }
    }
}
