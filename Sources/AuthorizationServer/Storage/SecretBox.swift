import Crypto

/// Encryption at rest for what the store must be able to read back (signing
/// keys, users' identity-provider tokens, linked accounts and personal
/// keys): AES-256-GCM under a key derived from the operator's secret, so a
/// copy of the database alone reveals nothing.
///
/// The secret can be changed without losing anything: the previous ones
/// still open what they sealed, everything new is sealed with the current
/// one, and ``StoreResealing`` moves the rest over.
public struct SecretBox: Sendable {
    let key: SymmetricKey
    let previous: [SymmetricKey]

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// - Parameters:
    ///   - secret: at least 32 bytes of the operator's secret; the key is
    ///     derived with HKDF-SHA256, so any high-entropy text works.
    ///   - previous: secrets used before, to open what they sealed.
    public init(secret: [UInt8], previous: [[UInt8]] = []) throws(Failure) {
        guard secret.count >= 32 else { throw Failure(description: "the storage encryption secret must be at least 32 bytes") }
        key = Self.derive(secret)
        self.previous = previous.filter { !$0.isEmpty && $0 != secret }.map(Self.derive)
    }

    static func derive(_ secret: [UInt8]) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: secret), info: Array("gatehouse storage v1".utf8), outputByteCount: 32)
    }

    public func seal(_ plaintext: [UInt8]) throws -> [UInt8] {
        guard let combined = try AES.GCM.seal(plaintext, using: key).combined else {
            throw Failure(description: "sealing failed")
        }
        return Array(combined)
    }

    public func open(_ sealed: [UInt8]) throws(Failure) -> [UInt8] {
        for candidate in [key] + previous {
            if let plain = try? AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: candidate) { return Array(plain) }
        }
        throw Failure(description: "stored secret could not be decrypted: wrong storage secret or damaged data")
    }

    /// Whether the current secret sealed this (nothing to re-seal).
    public func isCurrent(_ sealed: [UInt8]) -> Bool {
        (try? AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key)) != nil
    }
}
