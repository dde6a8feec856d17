import Crypto

/// Authorization codes, refresh tokens and client secrets: random strings
/// handed out once. Only their SHA-256 is stored, so a copy of the database
/// does not hold a usable token.
public enum OpaqueToken {
    /// `bytes` random bytes, base64url: 32 give 256 bits.
    public static func generate(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return base64URL(random)
    }

    /// The stored form of a token: lowercase hex SHA-256.
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Array(token.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
