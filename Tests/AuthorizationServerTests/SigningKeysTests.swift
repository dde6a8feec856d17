import Foundation
import Synchronization
import Testing

@testable import AuthorizationServer

/// The signing keys as the store keeps them: made on first use, sealed,
/// rotated when due with the old key published until its tokens expire,
/// and picked up by another process sharing the store.
@Suite("Signing keys in the store")
struct SigningKeysTests {
    final class Clock: Sendable {
        let value = Atomic<Int64>(1_000_000)
        var now: @Sendable () -> Int64 { { self.value.load(ordering: .relaxed) } }
        func advance(_ seconds: Int64) { value.add(seconds, ordering: .relaxed) }
    }

    func keys(_ store: any AuthStore, _ clock: Clock) throws -> SigningKeys {
        SigningKeys(
            store: store, box: try SecretBox(secret: Array(repeating: 3, count: 32)), rotateAfter: 86_400, tokenLifetime: 900,
            now: clock.now)
    }

    @Test(arguments: StoreBackend.tested) func rotationKeepsTheOldKeyUntilItsTokensExpire(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            let clock = Clock()
            let keys = try keys(store, clock)
            let first = try await keys.current().signingKeyID
            let stored = try await store.signingKeys()
            #expect(stored.map(\.kid) == [first])
            #expect(!String(decoding: stored[0].sealedPrivateKey, as: UTF8.self).contains("PRIVATE KEY"), "sealed at rest")
            clock.advance(86_400)
            let rotated = try await keys.refresh()
            #expect(rotated.signingKeyID != first)
            #expect(rotated.materials.map(\.kid) == [rotated.signingKeyID, first], "the old key is still published")
            clock.advance(901)
            #expect(try await keys.refresh().materials.map(\.kid) == [rotated.signingKeyID], "its tokens have all expired")
        }
    }

    @Test(arguments: StoreBackend.tested) func anotherProcessPicksUpTheKeyInTheStore(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            let clock = Clock()
            let one = try keys(store, clock)
            let other = try keys(store, clock)
            let made = try await one.current().signingKeyID
            #expect(try await other.current().signingKeyID == made, "the second process does not make its own")
            clock.advance(86_400)
            let next = try await one.refresh().signingKeyID
            #expect(try await other.current().signingKeyID == made, "cached until it looks again")
            #expect(try await other.refresh().signingKeyID == next)
        }
    }

    @Test func theWrongStoreSecretIsAnError() async throws {
        let store = try await SQLiteAuthStore.open(path: ":memory:")
        try await store.migrate()
        let clock = Clock()
        _ = try await keys(store, clock).current()
        let wrong = SigningKeys(store: store, box: try SecretBox(secret: Array(repeating: 4, count: 32)), tokenLifetime: 900, now: clock.now)
        await #expect(throws: SecretBox.Failure.self) { _ = try await wrong.current() }
        try await store.close()
    }
}
