import Foundation
import Testing

@testable import AuthorizationServer

/// Every store backend against the same expectations: the flows above it
/// are written against ``AuthStore`` and must not care which one runs.
/// PostgreSQL is among them whenever a server is configured, which
/// scripts/test always does (see ``StoreBackend``).
@Suite("Auth store")
struct AuthStoreTests {
    func code(_ hash: String, expiresAt: Int64 = 2_000) -> AuthorizationCodeRecord {
        AuthorizationCodeRecord(
            hash: hash, clientID: "c1", redirectURI: "http://127.0.0.1:9/cb", codeChallenge: String(repeating: "a", count: 43),
            resource: "https://mcp.example.com/mcp", scopes: ["a", "b"], subject: "user-1", claimsJSON: #"{"email":"a@b"}"#,
            expiresAt: expiresAt)
    }

    func grant(_ id: String, subject: String = "user-1", client: String = "c1") -> GrantRecord {
        GrantRecord(id: id, clientID: client, subject: subject, scopes: ["a"], resource: "r", claimsJSON: "{}", createdAt: 1_000)
    }

    @Test(arguments: StoreBackend.tested) func clientsRoundTrip(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            let client = RegisteredClient(
                clientID: "c1", origin: .dynamic, name: "Claude", redirectURIs: ["https://claude.ai/api/mcp/auth_callback", "http://127.0.0.1:1/cb"],
                tokenEndpointAuthMethod: "client_secret_basic", clientURI: "https://claude.ai", issuedAt: 1_700_000_000)
            try await store.saveClient(StoredClient(client: client, secretHash: "abc"))
            let loaded = try #require(try await store.client(id: "c1"))
            #expect(loaded.client == client && loaded.secretHash == "abc")
            #expect(try await store.client(id: "nope") == nil)
        }
    }

    @Test(arguments: StoreBackend.tested) func clientsGrantsAndLinkedAccountsAreListedNewestFirst(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            for (id, issued) in [("old", Int64(1_000)), ("new", 3_000), ("mid", 2_000)] {
                try await store.saveClient(StoredClient(client: RegisteredClient(
                    clientID: id, origin: .dynamic, name: id, redirectURIs: ["http://127.0.0.1:1/cb"], issuedAt: issued)))
            }
            try await store.saveClient(StoredClient(client: RegisteredClient(
                clientID: "static", origin: .static, name: nil, redirectURIs: ["http://127.0.0.1:2/cb"])))
            #expect(try await store.clients(limit: 10).map(\.client.clientID).prefix(3) == ["new", "mid", "old"])
            #expect(try await store.clients(limit: 10).count == 4)
            #expect(try await store.clients(limit: 2).map(\.client.clientID) == ["new", "mid"])
            for (id, created) in [("g1", Int64(1_000)), ("g2", 2_000), ("g3", 3_000)] {
                var record = grant(id)
                record.createdAt = created
                try await store.saveGrant(record)
            }
            try await store.revokeGrant(id: "g2", now: 4_000)
            #expect(try await store.activeGrants(limit: 10).map(\.id) == ["g3", "g1"])
            #expect(try await store.activeGrants(limit: 1).map(\.id) == ["g3"])
            try await store.saveUserCredential(subject: "ada", connector: "crm", kind: "linked_account", sealed: [1], now: 1_000)
            try await store.saveUserCredential(subject: "bob", connector: "crm", kind: "api_key", sealed: [2], now: 3_000)
            try await store.saveUserCredential(subject: "ada", connector: "tracker", kind: "api_key", sealed: [3], now: 2_000)
            #expect(try await store.recentUserCredentials(limit: 10).map { "\($0.subject)/\($0.connector)" } == ["bob/crm", "ada/tracker", "ada/crm"])
            #expect(try await store.recentUserCredentials(limit: 1).count == 1)
        }
    }

    @Test(arguments: StoreBackend.tested) func answerPartsAreKeptPerSubjectUntilTheyExpire(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            try await store.saveAnswerPart(id: "p1", subject: "ada", sealed: [1, 2, 3], expiresAt: 2_000, now: 1_000)
            try await store.saveAnswerPart(id: "p2", subject: "", sealed: [4], expiresAt: 1_500, now: 1_000)
            #expect(try await store.answerPart(id: "p1", subject: "ada", now: 1_100) == [1, 2, 3])
            #expect(try await store.answerPart(id: "p1", subject: "bob", now: 1_100) == nil, "another subject's part is not found")
            #expect(try await store.answerPart(id: "p2", subject: "", now: 1_100) == [4])
            #expect(try await store.answerPart(id: "p1", subject: "ada", now: 2_001) == nil, "expired")
            // Saving removes what has expired.
            try await store.saveAnswerPart(id: "p3", subject: "ada", sealed: [5], expiresAt: 9_000, now: 1_600)
            #expect(try await store.answerPart(id: "p2", subject: "", now: 1_000) == nil)
            #expect(try await store.answerPart(id: "p1", subject: "ada", now: 1_000) == [1, 2, 3])
        }
    }

    @Test(arguments: StoreBackend.tested) func savingAClientAgainReplacesIt(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            let first = RegisteredClient(clientID: "c1", origin: .dynamic, name: "Old", redirectURIs: ["http://127.0.0.1:1/cb"])
            try await store.saveClient(StoredClient(client: first, secretHash: "old"))
            let second = RegisteredClient(clientID: "c1", origin: .dynamic, name: nil, redirectURIs: ["http://127.0.0.1:2/cb"])
            try await store.saveClient(StoredClient(client: second))
            let loaded = try #require(try await store.client(id: "c1"))
            #expect(loaded.client == second && loaded.secretHash == nil)
        }
    }

    @Test(arguments: StoreBackend.tested) func aCodeIsUsedOnceAndItsReplayIsRecognised(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
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

    @Test(arguments: StoreBackend.tested) func racingExchangesOfOneCodeHaveOneWinner(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            try await store.saveCode(code("race"))
            let outcomes = try await withThrowingTaskGroup(of: CodeConsumption.self) { group in
                for _ in 0..<8 { group.addTask { try await store.consumeCode(hash: "race", now: 1_500) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { if case .fresh = $0 { true } else { false } }.count == 1)
        }
    }

    @Test(arguments: StoreBackend.tested) func refreshTokensRotateAndReuseRevokesTheFamily(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
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

    @Test(arguments: StoreBackend.tested) func aRefreshTokenLeadsToItsGrantForRevocation(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            try await store.saveGrant(grant("g1"))
            try await store.saveRefreshToken(hash: "r1", grantID: "g1", expiresAt: 5_000)
            _ = try await store.rotateRefreshToken(hash: "r1", replacement: "r2", expiresAt: 6_000, now: 2_000)
            #expect(try await store.grantID(forRefreshToken: "r1") == "g1", "a retired token still names its grant")
            #expect(try await store.grantID(forRefreshToken: "r2") == "g1")
            #expect(try await store.grantID(forRefreshToken: "nope") == nil)
        }
    }

    @Test(arguments: StoreBackend.tested) func expiredRefreshTokensDoNotRotate(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            try await store.saveGrant(grant("g1"))
            try await store.saveRefreshToken(hash: "r1", grantID: "g1", expiresAt: 1_500)
            #expect(try await store.rotateRefreshToken(hash: "r1", replacement: "r2", expiresAt: 9_000, now: 2_000) == .expired)
        }
    }

    @Test(arguments: StoreBackend.tested) func revokingEveryGrantOfAUserOrAClient(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
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

    @Test(arguments: StoreBackend.tested) func pendingAuthorizationsAreApprovedAndTakenOnce(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            let pending = PendingAuthorization(
                id: "p1", clientID: "c1", redirectURI: "http://127.0.0.1:9/cb", state: nil, codeChallenge: "x", resource: "r",
                scopes: ["a", "b"], csrfHash: "csrf", createdAt: 1_000, expiresAt: 2_000)
            try await store.savePending(pending)
            #expect(try await store.pending(id: "p1") == pending)
            #expect(try await store.approvePending(id: "p1", upstreamStateHash: "s1", nonce: "n", upstreamVerifier: "v", now: 1_100))
            #expect(try await !store.approvePending(id: "p1", upstreamStateHash: "s2", nonce: "n", upstreamVerifier: "v", now: 1_101))
            #expect(try await store.takePending(upstreamStateHash: "s1", now: 3_000) == nil, "expired")
            let taken = try await store.takePending(upstreamStateHash: "s1", now: 1_200)
            #expect(taken?.nonce == "n" && taken?.upstreamVerifier == "v" && taken?.scopes == ["a", "b"])
            #expect(try await store.takePending(upstreamStateHash: "s1", now: 1_201) == nil, "a second callback finds nothing")
            try await store.deletePending(id: "p1")
            #expect(try await store.pending(id: "p1") == nil)
        }
    }

    @Test(arguments: StoreBackend.tested) func signingKeysAreStoredSealedAndSurviveAReopen(_ backend: StoreBackend) async throws {
        let box = try SecretBox(secret: Array(String(repeating: "s", count: 32).utf8))
        let material = SigningKeyRing.Material.generate(now: 1_000)
        try await backend.withStore { store, location in
            let sealed = try box.seal(Array(material.privateKeyPEM.utf8))
            #expect(!String(decoding: sealed, as: UTF8.self).contains("PRIVATE KEY"))
            try await store.replaceSigningKeys([StoredSigningKey(kid: material.kid, sealedPrivateKey: sealed, createdAt: 1_000)])
            let keys = try await location.withStore { reopened in try await reopened.signingKeys() }
            #expect(keys.count == 1 && keys[0].kid == material.kid)
            let pem = String(decoding: try box.open(keys[0].sealedPrivateKey), as: UTF8.self)
            #expect(pem == material.privateKeyPEM)
            let ring = try await SigningKeyRing([.init(kid: keys[0].kid, privateKeyPEM: pem, createdAt: keys[0].createdAt)])
            #expect(ring.signingKeyID == material.kid)
        }
    }

    @Test func bothBackendsHaveTheSameSchemaSteps() {
        #expect(SQLiteAuthStore.migrations.count == PostgresAuthStore.migrations.count)
    }

    @Test func theWrongSecretCannotOpenAKey() throws {
        let sealed = try SecretBox(secret: Array(String(repeating: "a", count: 32).utf8)).seal(Array("secret".utf8))
        #expect(throws: SecretBox.Failure.self) { try SecretBox(secret: Array(String(repeating: "b", count: 32).utf8)).open(sealed) }
        #expect(throws: SecretBox.Failure.self) { try SecretBox(secret: Array("short".utf8)) }
    }
}
