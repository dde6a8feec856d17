import Foundation
import GatehouseJSON
import Synchronization

/// The signing keys in use, kept in step with the store: loaded at start,
/// rotated when the newest is due, reread when a replica may have rotated.
///
/// Private keys only ever reach the store sealed by the ``SecretBox``, so a
/// copy of the database alone cannot mint tokens.
public final class SigningKeys: Sendable {
    let store: any AuthStore
    let box: SecretBox
    /// How long a key signs before the next one takes over.
    public let rotateAfter: Int64
    /// The longest lifetime of a token a key signed: a retired key stays
    /// published this long.
    public let tokenLifetime: Int64
    let now: @Sendable () -> Int64
    let ring: Mutex<SigningKeyRing?>

    public init(
        store: any AuthStore, box: SecretBox, rotateAfter: Int64 = 30 * 86_400, tokenLifetime: Int64,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.store = store
        self.box = box
        self.rotateAfter = rotateAfter
        self.tokenLifetime = tokenLifetime
        self.now = now
        self.ring = Mutex(nil)
    }

    /// The ring to sign with, loading it on first use.
    public func current() async throws -> SigningKeyRing {
        if let ring = ring.withLock({ $0 }) { return ring }
        return try await refresh()
    }

    /// Rereads the stored keys, adding a new one when the newest is due for
    /// rotation (or none exists yet), and retiring expired ones.
    ///
    /// Replicas starting together may both rotate; the store keeps the last
    /// write, and rereading after writing makes every replica converge on it.
    @discardableResult
    public func refresh() async throws -> SigningKeyRing {
        let stored = try await store.signingKeys()
        var materials: [SigningKeyRing.Material] = []
        for key in stored {
            let pem = try box.open(key.sealedPrivateKey)
            materials.append(.init(kid: key.kid, privateKeyPEM: String(decoding: pem, as: UTF8.self), createdAt: key.createdAt))
        }
        let rotated = SigningKeyRing.rotate(materials, now: now(), rotateAfter: rotateAfter, tokenLifetime: tokenLifetime)
        if rotated != materials.sorted(by: { $0.createdAt > $1.createdAt }) {
            try await store.replaceSigningKeys(rotated.map { material in
                StoredSigningKey(
                    kid: material.kid, sealedPrivateKey: try box.seal(Array(material.privateKeyPEM.utf8)), createdAt: material.createdAt)
            })
            return try await refresh()
        }
        let fresh = try await SigningKeyRing(materials)
        ring.withLock { $0 = fresh }
        return fresh
    }
}
