import NIOCore
import PostgresNIO

extension PostgresAuthStore {
    public func saveUserCredential(subject: String, connector: String, kind: String, sealed: [UInt8], now: Int64) async throws
        -> StoredUserCredential
    {
        guard
            let row = try await first(
                """
                INSERT INTO user_credentials (subject, connector, kind, sealed, version, updated_at)
                VALUES (\(subject), \(connector), \(kind), \(ByteBuffer(bytes: sealed)), 1, \(now))
                ON CONFLICT (subject, connector) DO UPDATE SET kind = EXCLUDED.kind, sealed = EXCLUDED.sealed,
                    version = user_credentials.version + 1, updated_at = EXCLUDED.updated_at
                RETURNING *
                """)
        else { throw StoreFailure.unexpected("user credential not written") }
        return try Self.userCredential(row)
    }

    public func userCredential(subject: String, connector: String) async throws -> StoredUserCredential? {
        try await first("SELECT * FROM user_credentials WHERE subject = \(subject) AND connector = \(connector)").map(Self.userCredential)
    }

    public func userCredentials(subject: String) async throws -> [StoredUserCredential] {
        try await client.query("SELECT * FROM user_credentials WHERE subject = \(subject) ORDER BY connector", logger: logger)
            .collect().map { try Self.userCredential($0.makeRandomAccess()) }
    }

    public func recentUserCredentials(limit: Int) async throws -> [StoredUserCredential] {
        try await client.query("SELECT * FROM user_credentials ORDER BY updated_at DESC LIMIT \(limit)", logger: logger)
            .collect().map { try Self.userCredential($0.makeRandomAccess()) }
    }

    public func replaceUserCredential(subject: String, connector: String, expectedVersion: Int64, sealed: [UInt8], now: Int64)
        async throws -> StoredUserCredential?
    {
        try await first(
            """
            UPDATE user_credentials SET sealed = \(ByteBuffer(bytes: sealed)), version = version + 1, updated_at = \(now)
            WHERE subject = \(subject) AND connector = \(connector) AND version = \(expectedVersion) RETURNING *
            """
        ).map(Self.userCredential)
    }

    public func deleteUserCredentials(subject: String, connector: String?) async throws -> Int {
        try await client.query(
            """
            DELETE FROM user_credentials WHERE subject = \(subject) AND (\(connector)::TEXT IS NULL OR connector = \(connector))
            RETURNING connector
            """,
            logger: logger
        ).collect().count
    }

    static func userCredential(_ row: PostgresRandomAccessRow) throws -> StoredUserCredential {
        StoredUserCredential(
            subject: try row["subject"].decode(String.self), connector: try row["connector"].decode(String.self),
            kind: try row["kind"].decode(String.self), sealed: Array(try row["sealed"].decode(ByteBuffer.self).readableBytesView),
            version: try row["version"].decode(Int64.self), updatedAt: try row["updated_at"].decode(Int64.self))
    }

    // MARK: Link flows

    public func saveLinkFlow(_ flow: LinkFlow) async throws {
        try await client.query("DELETE FROM link_flows WHERE expires_at < \(flow.createdAt - 86_400)", logger: logger)
        try await client.query(
            """
            INSERT INTO link_flows (id, subject, connector, elicitation_id, created_at, expires_at, data)
            VALUES (\(flow.id), \(flow.subject), \(flow.connector), \(flow.elicitationID), \(flow.createdAt), \(flow.expiresAt), \(flow.data))
            """,
            logger: logger)
    }

    public func openLinkFlow(id: String, now: Int64) async throws -> LinkFlow? {
        try await first(
            """
            UPDATE link_flows SET opened_at = \(now)
            WHERE id = \(id) AND opened_at IS NULL AND finished_at IS NULL AND expires_at > \(now) RETURNING *
            """
        ).map(Self.linkFlow)
    }

    public func advanceLinkFlow(id: String, stateHash: String, data: String, now: Int64) async throws -> Bool {
        try await first(
            """
            UPDATE link_flows SET state_hash = \(stateHash), data = \(data)
            WHERE id = \(id) AND finished_at IS NULL AND expires_at > \(now) RETURNING id
            """) != nil
    }

    public func takeLinkFlow(stateHash: String, now: Int64) async throws -> LinkFlow? {
        try await first(
            """
            UPDATE link_flows SET state_hash = NULL
            WHERE state_hash = \(stateHash) AND finished_at IS NULL AND expires_at > \(now) RETURNING *
            """
        ).map(Self.linkFlow)
    }

    public func linkFlow(id: String) async throws -> LinkFlow? {
        try await first("SELECT * FROM link_flows WHERE id = \(id)").map(Self.linkFlow)
    }

    public func finishLinkFlow(id: String, now: Int64) async throws {
        try await client.query(
            "UPDATE link_flows SET finished_at = \(now), state_hash = NULL WHERE id = \(id) AND finished_at IS NULL", logger: logger)
    }

    static func linkFlow(_ row: PostgresRandomAccessRow) throws -> LinkFlow {
        LinkFlow(
            id: try row["id"].decode(String.self), subject: try row["subject"].decode(String.self),
            connector: try row["connector"].decode(String.self), elicitationID: try row["elicitation_id"].decode(String.self),
            createdAt: try row["created_at"].decode(Int64.self), expiresAt: try row["expires_at"].decode(Int64.self),
            data: try row["data"].decode(String.self))
    }
}

extension PostgresAuthStore {
    public func sealedRecords() async throws -> [(SealedRecord, [UInt8])] {
        var records: [(SealedRecord, [UInt8])] = []
        for try await (kid, sealed) in try await client.query("SELECT kid, sealed_private_key FROM signing_keys", logger: logger)
            .decode((String, ByteBuffer).self)
        {
            records.append((.signingKey(kid: kid), Array(sealed.readableBytesView)))
        }
        for try await (subject, sealed) in try await client.query("SELECT subject, sealed FROM upstream_tokens", logger: logger)
            .decode((String, ByteBuffer).self)
        {
            records.append((.upstreamTokens(subject: subject), Array(sealed.readableBytesView)))
        }
        for try await (subject, connector, sealed) in try await client.query(
            "SELECT subject, connector, sealed FROM user_credentials", logger: logger
        ).decode((String, String, ByteBuffer).self) {
            records.append((.userCredential(subject: subject, connector: connector), Array(sealed.readableBytesView)))
        }
        return records
    }

    public func replaceSealed(_ record: SealedRecord, sealed: [UInt8]) async throws {
        let bytes = ByteBuffer(bytes: sealed)
        switch record {
        case .signingKey(let kid):
            try await client.query("UPDATE signing_keys SET sealed_private_key = \(bytes) WHERE kid = \(kid)", logger: logger)
        case .upstreamTokens(let subject):
            try await client.query("UPDATE upstream_tokens SET sealed = \(bytes) WHERE subject = \(subject)", logger: logger)
        case .userCredential(let subject, let connector):
            try await client.query(
                "UPDATE user_credentials SET sealed = \(bytes) WHERE subject = \(subject) AND connector = \(connector)", logger: logger)
        }
    }
}
