import NIOCore
import PostgresNIO

extension PostgresAuthStore {
    public func saveAnswerPart(id: String, subject: String, sealed: [UInt8], expiresAt: Int64, now: Int64) async throws {
        try await client.query("DELETE FROM answer_parts WHERE expires_at < \(now)", logger: logger)
        try await client.query(
            """
            INSERT INTO answer_parts (id, subject, sealed, expires_at) VALUES (\(id), \(subject), \(ByteBuffer(bytes: sealed)), \(expiresAt))
            ON CONFLICT (id) DO UPDATE SET sealed = EXCLUDED.sealed, expires_at = EXCLUDED.expires_at
            """,
            logger: logger)
    }

    public func answerPart(id: String, subject: String, now: Int64) async throws -> [UInt8]? {
        try await first("SELECT sealed FROM answer_parts WHERE id = \(id) AND subject = \(subject) AND expires_at >= \(now)").map {
            Array(try $0["sealed"].decode(ByteBuffer.self).readableBytesView)
        }
    }
}
