import Crypto

/// Encryption at rest for what the store must be able to read back (signing
/// keys, upstream tokens): AES-256-GCM under a key derived from the
/// operator's secret, so a copy of the database alone reveals nothing.
public struct SecretBox: Sendable {
    let key: SymmetricKey

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// - Parameter secret: at least 32 bytes of the operator's secret; the
    ///   key is derived with HKDF-SHA256, so any high-entropy text works.
    public init(secret: [UInt8]) throws(Failure) {
        guard secret.count >= 32 else { throw Failure(description: "the storage encryption secret must be at least 32 bytes") }
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: secret), info: Array("gatehouse storage v1".utf8), outputByteCount: 32)
    }

    public func seal(_ plaintext: [UInt8]) throws -> [UInt8] {
        guard let combined = try AES.GCM.seal(plaintext, using: key).combined else {
            throw Failure(description: "sealing failed")
        }
        return Array(combined)
    }

    public func open(_ sealed: [UInt8]) throws(Failure) -> [UInt8] {
        do {
            return Array(try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key))
        } catch {
            throw Failure(description: "stored secret could not be decrypted: wrong storage secret or damaged data")
        }
    }
}
