import Foundation
import Testing

@testable import AuthorizationServer

/// Changing the storage secret loses nothing: the previous secret still
/// opens what it sealed, and re-sealing moves everything to the new one.
@Suite("Storage secret rotation")
struct SecretRotationTests {
    let secretA = Array("secret-A-0123456789-0123456789-0123456789".utf8)
    let secretB = Array("secret-B-0123456789-0123456789-0123456789".utf8)
    let secretC = Array("secret-C-0123456789-0123456789-0123456789".utf8)

    @Test func aPreviousSecretStillOpensWhatItSealed() throws {
        let old = try SecretBox(secret: secretA)
        let sealed = try old.seal(Array("token".utf8))
        let rotated = try SecretBox(secret: secretB, previous: [secretA])
        #expect(try rotated.open(sealed) == Array("token".utf8))
        #expect(!rotated.isCurrent(sealed))
        #expect(rotated.isCurrent(try rotated.seal([1])))
        #expect(throws: SecretBox.Failure.self) { try SecretBox(secret: secretB).open(sealed) }
    }

    @Test(arguments: StoreBackend.tested) func everythingStoredSurvivesARotation(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            let old = try SecretBox(secret: secretA)
            try await store.replaceSigningKeys([StoredSigningKey(kid: "k1", sealedPrivateKey: try old.seal(Array("pem".utf8)), createdAt: 1)])
            try await store.saveUpstreamTokens(subject: "alice", sealed: try old.seal(Array("idp".utf8)), updatedAt: 1)
            _ = try await store.saveUserCredential(
                subject: "alice", connector: "crm", kind: "linked_account", sealed: try old.seal(Array("crm".utf8)), now: 1)
            // Sealed with a secret nobody gives any more: reported, kept.
            let lost = try SecretBox(secret: secretC).seal(Array("lost".utf8))
            _ = try await store.saveUserCredential(subject: "bob", connector: "crm", kind: "api_key", sealed: lost, now: 1)

            let rotated = try SecretBox(secret: secretB, previous: [secretA])
            #expect(try rotated.open(try #require(try await store.upstreamTokens(subject: "alice"))) == Array("idp".utf8))

            let report = try await StoreResealing.reseal(store, box: rotated)
            #expect(report == .init(resealed: 3, alreadyCurrent: 0, unreadable: 1))

            let onlyNew = try SecretBox(secret: secretB)
            #expect(try onlyNew.open(try #require(try await store.signingKeys().first).sealedPrivateKey) == Array("pem".utf8))
            #expect(try onlyNew.open(try #require(try await store.upstreamTokens(subject: "alice"))) == Array("idp".utf8))
            let credential = try #require(try await store.userCredential(subject: "alice", connector: "crm"))
            #expect(try onlyNew.open(credential.sealed) == Array("crm".utf8))
            #expect(credential.version == 1, "re-sealing is not a new credential")
            #expect(try await store.userCredential(subject: "bob", connector: "crm")?.sealed == lost)

            let again = try await StoreResealing.reseal(store, box: rotated)
            #expect(again == .init(resealed: 0, alreadyCurrent: 3, unreadable: 1))
        }
    }
}
