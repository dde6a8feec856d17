import Logging
import PostgresNIO
import Testing

@testable import AuthorizationServer

/// What only a shared server can get wrong: two pools on one database stand
/// for two gateway replicas, each with its own connections.
// Skipped when no server is configured; scripts/test always starts one and
// sets GATEHOUSE_REQUIRE_POSTGRES=1, which turns a missing one into a failure.
@Suite(
    "PostgreSQL store across processes",
    .enabled(if: StoreBackend.postgresWanted, "no GATEHOUSE_TEST_POSTGRES_URL: the PostgreSQL store tests are skipped (scripts/test runs them)")
)
struct PostgresAuthStoreTests {
    @Test func twoReplicasSeeEachOthersWritesAndOneWinsEachRace() async throws {
        try await StoreBackend.postgres.withLocation { location in
            try await location.withStore { first in
                try await location.withStore { second in
                    let client = RegisteredClient(clientID: "c1", origin: .dynamic, redirectURIs: ["http://127.0.0.1:1/cb"])
                    try await first.saveClient(StoredClient(client: client))
                    #expect(try await second.client(id: "c1")?.client == client)

                    try await second.saveCode(
                        AuthorizationCodeRecord(
                            hash: "race", clientID: "c1", redirectURI: "http://127.0.0.1:1/cb", codeChallenge: "x", resource: "r",
                            scopes: ["a"], subject: "u", claimsJSON: "{}", expiresAt: 2_000))
                    let exchanges = try await withThrowingTaskGroup(of: CodeConsumption.self) { group in
                        for attempt in 0..<16 {
                            let store = attempt.isMultiple(of: 2) ? first : second
                            group.addTask { try await store.consumeCode(hash: "race", now: 1_500) }
                        }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                    #expect(exchanges.filter { if case .fresh = $0 { true } else { false } }.count == 1)
                    #expect(exchanges.filter { if case .reused = $0 { true } else { false } }.count == 15)

                    // Two replicas rotating one refresh token: one rotates,
                    // the other is the replay and revokes the family.
                    try await first.saveGrant(
                        GrantRecord(id: "g1", clientID: "c1", subject: "u", scopes: ["a"], resource: "r", claimsJSON: "{}", createdAt: 1_000))
                    try await second.saveRefreshToken(hash: "r1", grantID: "g1", expiresAt: 5_000)
                    async let one = first.rotateRefreshToken(hash: "r1", replacement: "r2a", expiresAt: 6_000, now: 2_000)
                    async let other = second.rotateRefreshToken(hash: "r1", replacement: "r2b", expiresAt: 6_000, now: 2_000)
                    let rotations = try await [one, other]
                    #expect(rotations.filter { if case .rotated = $0 { true } else { false } }.count == 1)
                    #expect(rotations.contains(.reused(grantID: "g1")))
                    #expect(try await first.grant(id: "g1")?.revokedAt == 2_000)
                }
            }
        }
    }

    @Test func replicasStartingTogetherMigrateOnce() async throws {
        try await StoreBackend.postgres.withLocation { location in
            guard case .postgres(let configuration) = location else { return }
            let stores = (0..<4).map { _ in PostgresAuthStore(configuration: configuration, logger: StoreBackend.logger) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for store in stores { group.addTask { await store.run() } }
                try await withThrowingTaskGroup(of: Void.self) { migrations in
                    for store in stores { migrations.addTask { try await store.migrate() } }
                    try await migrations.waitForAll()
                }
                let rows = try await stores[0].client.query(
                    "SELECT version::BIGINT FROM schema_version ORDER BY version", logger: StoreBackend.logger)
                var versions: [Int64] = []
                for try await version in rows.decode(Int64.self) { versions.append(version) }
                #expect(versions == Array(1...Int64(PostgresAuthStore.migrations.count)))
                group.cancelAll()
            }
        }
    }
}
