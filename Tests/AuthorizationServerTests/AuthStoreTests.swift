import Foundation
import Testing

@testable import AuthorizationServer

/// The SQLite store, on a real database file.
@Suite("SQLite store")
struct SQLiteAuthStoreTests {
    func withStore(_ body: (SQLiteAuthStore, String) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-auth-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try await SQLiteAuthStore.open(path: path)
        try await store.migrate()
        try await store.migrate()  // a second start finds the schema in place
        try await body(store, path)
        try await store.close()
    }

    func code(_ hash: String, expiresAt: Int64 = 2_000) -> AuthorizationCodeRecord {
        AuthorizationCodeRecord(
            hash: hash, clientID: "c1", redirectURI: "http://127.0.0.1:9/cb", codeChallenge: String(repeating: "a", count: 43),
            resource: "https://mcp.example.com/mcp", scopes: ["a", "b"], subject: "user-1", claimsJSON: #"{"email":"a@b"}"#,
            expiresAt: expiresAt)
    }

    func grant(_ id: String, subject: String = "user-1", client: String = "c1") -> GrantRecord {
        GrantRecord(id: id, clientID: client, subject: subject, scopes: ["a"], resource: "r", claimsJSON: "{}", createdAt: 1_000)
    }

    @Test func clientsRoundTrip() async throws {
        try await withStore { store, _ in
            let client = RegisteredClient(
                clientID: "c1", origin: .dynamic, name: "Claude", redirectURIs: ["https://claude.ai/api/mcp/auth_callback", "http://127.0.0.1:1/cb"],
                tokenEndpointAuthMethod: "client_secret_basic", clientURI: "https://claude.ai", issuedAt: 1_700_000_000)
            try await store.saveClient(StoredClient(client: client, secretHash: "abc"))
            let loaded = try #require(try await store.client(id: "c1"))
            #expect(loaded.client == client && loaded.secretHash == "abc")
            #expect(try await store.client(id: "nope") == nil)
        }
    }

    @Test func aCodeIsUsedOnceAndItsReplayIsRecognised() async throws {
        try await withStore { store, _ in
            try await store.saveCode(code("h1"))
            guard case .fresh(let first) = try await store.consumeCode(hash: "h1", now: 1_500) else {
                Issue.record("the first exchange must get the code")
                return
            }
            #expect(first.scopes == ["a", "b"] && first.claimsJSON == #"{"email":"a@b"}"#)
            try await store.attach(grantID: "g1", toCode: "h1")
            guard case .reused(let again) = try await store.consumeCode(hash: "h1", now: 1_600) else {
                Issue.record("a second exchange is a replay")
                return
            }
            #expect(again.grantID == "g1")
            #expect(try await store.consumeCode(hash: "other", now: 1_600) == .unknown)
        }
    }

    @Test func racingExchangesOfOneCodeHaveOneWinner() async throws {
        try await withStore { store, _ in
            try await store.saveCode(code("race"))
            let outcomes = try await withThrowingTaskGroup(of: CodeConsumption.self) { group in
                for _ in 0..<8 { group.addTask { try await store.consumeCode(hash: "race", now: 1_500) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { if case .fresh = $0 { true } else { false } }.count == 1)
        }
    }

    @Test func refreshTokensRotateAndReuseRevokesTheFamily() async throws {
        try await withStore { store, _ in
            try await store.saveGrant(grant("g1"))
            try await store.saveRefreshToken(hash: "r1", grantID: "g1", expiresAt: 5_000)
            #expect(try await store.rotateRefreshToken(hash: "r1", replacement: "r2", expiresAt: 6_000, now: 2_000) == .rotated(grant("g1")))
            #expect(try await store.rotateRefreshToken(hash: "r2", replacement: "r3", expiresAt: 7_000, now: 2_100) == .rotated(grant("g1")))
            // r1 again: stolen or replayed. The family goes.
            #expect(try await store.rotateRefreshToken(hash: "r1", replacement: "rX", expiresAt: 7_000, now: 2_200) == .reused(grantID: "g1"))
            #expect(try await store.grant(id: "g1")?.revokedAt == 2_200)
            #expect(try await store.rotateRefreshToken(hash: "r3", replacement: "r4", expiresAt: 8_000, now: 2_300) == .revoked)
            #expect(try await store.rotateRefreshToken(hash: "unknown", replacement: "r5", expiresAt: 8_000, now: 2_300) == .unknown)
        }
    }

    @Test func expiredRefreshTokensDoNotRotate() async throws {
        try await withStore { store, _ in
            try await store.saveGrant(grant("g1"))
            try await store.saveRefreshToken(hash: "r1", grantID: "g1", expiresAt: 1_500)
            #expect(try await store.rotateRefreshToken(hash: "r1", replacement: "r2", expiresAt: 9_000, now: 2_000) == .expired)
        }
    }

    @Test func revokingEveryGrantOfAUserOrAClient() async throws {
        try await withStore { store, _ in
            try await store.saveGrant(grant("g1", subject: "ada", client: "c1"))
            try await store.saveGrant(grant("g2", subject: "ada", client: "c2"))
            try await store.saveGrant(grant("g3", subject: "bob", client: "c1"))
            #expect(try await store.revokeGrants(subject: "ada", clientID: nil, now: 3_000) == 2)
            #expect(try await store.revokeGrants(subject: "ada", clientID: nil, now: 3_001) == 0, "already revoked")
            #expect(try await store.revokeGrants(subject: nil, clientID: "c1", now: 3_002) == 1)
            #expect(try await store.grant(id: "g3")?.revokedAt == 3_002)
            #expect(try await store.revokeGrants(subject: nil, clientID: nil, now: 3_003) == 0)
        }
    }

    @Test func signingKeysAreStoredSealedAndSurviveAReopen() async throws {
        let box = try SecretBox(secret: Array(String(repeating: "s", count: 32).utf8))
        let material = SigningKeyRing.Material.generate(now: 1_000)
        try await withStore { store, path in
            let sealed = try box.seal(Array(material.privateKeyPEM.utf8))
            #expect(!String(decoding: sealed, as: UTF8.self).contains("PRIVATE KEY"))
            try await store.replaceSigningKeys([StoredSigningKey(kid: material.kid, sealedPrivateKey: sealed, createdAt: 1_000)])
            let reopened = try await SQLiteAuthStore.open(path: path)
            try await reopened.migrate()
            let keys = try await reopened.signingKeys()
            try await reopened.close()
            #expect(keys.count == 1 && keys[0].kid == material.kid)
            let pem = String(decoding: try box.open(keys[0].sealedPrivateKey), as: UTF8.self)
            #expect(pem == material.privateKeyPEM)
            let ring = try await SigningKeyRing([.init(kid: keys[0].kid, privateKeyPEM: pem, createdAt: keys[0].createdAt)])
            #expect(ring.signingKeyID == material.kid)
        }
    }

    @Test func theWrongSecretCannotOpenAKey() throws {
        let sealed = try SecretBox(secret: Array(String(repeating: "a", count: 32).utf8)).seal(Array("secret".utf8))
        #expect(throws: SecretBox.Failure.self) { try SecretBox(secret: Array(String(repeating: "b", count: 32).utf8)).open(sealed) }
        #expect(throws: SecretBox.Failure.self) { try SecretBox(secret: Array("short".utf8)) }
    }
}
