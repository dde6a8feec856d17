import NIOCore
import SQLiteNIO

extension SQLiteAuthStore {
    public func saveAnswerPart(id: String, subject: String, sealed: [UInt8], expiresAt: Int64, now: Int64) async throws {
        _ = try await connection.query("DELETE FROM answer_parts WHERE expires_at < ?", [.integer(Int(now))])
        _ = try await connection.query(
            "INSERT OR REPLACE INTO answer_parts (id, subject, sealed, expires_at) VALUES (?, ?, ?, ?)",
            [.text(id), .text(subject), .blob(ByteBuffer(bytes: sealed)), .integer(Int(expiresAt))])
    }

    public func answerPart(id: String, subject: String, now: Int64) async throws -> [UInt8]? {
        guard case .blob(var buffer)? = try await connection.query(
            "SELECT sealed FROM answer_parts WHERE id = ? AND subject = ? AND expires_at >= ?", [.text(id), .text(subject), .integer(Int(now))]
        ).first?.column("sealed") else { return nil }
        return buffer.readBytes(length: buffer.readableBytes)
    }
}
