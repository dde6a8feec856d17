import Foundation
import Logging
import PostgresNIO
import Testing

@testable import AuthorizationServer

/// The backends the store tests run against. PostgreSQL needs a server:
/// `GATEHOUSE_TEST_POSTGRES_URL` says where (Tests/postgres/start.sh prints
/// one). scripts/test always starts one and sets
/// `GATEHOUSE_REQUIRE_POSTGRES=1`, so there a missing server is a failure.
/// A bare `swift test` leaves the PostgreSQL cases out, and the suites that
/// need nothing but PostgreSQL show as skipped.
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// The arguments of every store test. Swift Testing has no visible skip
    /// for one case of a parameterised test (a cancelled case is reported
    /// as passed), so an unwanted backend is not a case at all.
    static let tested: [StoreBackend] = postgresWanted ? allCases : [.sqlite]

    static let postgresURL = ProcessInfo.processInfo.environment["GATEHOUSE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let postgresRequired = ProcessInfo.processInfo.environment["GATEHOUSE_REQUIRE_POSTGRES"] == "1"
    /// For `.enabled(if:)`: a required but missing server must fail, not skip.
    static let postgresWanted = postgresURL != nil || postgresRequired

    struct PostgresMissing: Error, CustomStringConvertible {
        var description: String {
            "GATEHOUSE_REQUIRE_POSTGRES=1 but GATEHOUSE_TEST_POSTGRES_URL is unset: start a server with "
                + "`Tests/postgres/start.sh PORT DIR` and export the URL it prints"
        }
    }

    static let logger: Logger = {
        var logger = Logger(label: "gatehouse.test.store")
        // Not .warning: PostgresNIO warns when a query is leased before the
        // pool's run() has begun, a harmless race in these short-lived pools.
        logger.logLevel = .error
        return logger
    }()

    /// A fresh, empty place for a store's data, removed afterwards.
    func withLocation<Result: Sendable>(_ body: (StoreLocation) async throws -> Result) async throws -> Result {
        switch self {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-auth-\(UUID().uuidString).sqlite").path
            defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
            return try await body(.sqlite(path: path))
        case .postgres:
            // Reached without a URL only when GATEHOUSE_REQUIRE_POSTGRES=1 asked for it.
            guard let url = Self.postgresURL else { throw PostgresMissing() }
            return try await Self.withSchema(configuration: try PostgresURL.configuration(url), body)
        }
    }

    /// Each test gets a schema of its own in the shared test database, so
    /// tests run in parallel without seeing each other's rows; the store's
    /// connections find it through `search_path`, set at connection start.
    static func withSchema<Result: Sendable>(
        configuration: PostgresClient.Configuration, _ body: (StoreLocation) async throws -> Result
    ) async throws -> Result {
        // Made of hex digits only, so it is safe to write into the DDL,
        // which takes no bind parameters for names.
        let schema = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = PostgresAuthStore(configuration: configuration, logger: logger)
        return try await admin.withRunningPool {
            try await admin.client.query("CREATE SCHEMA \(unescaped: schema)", logger: logger)
            var scoped = configuration
            scoped.options.additionalStartupParameters = [("search_path", schema)]
            let outcome: Swift.Result<Result, any Error>
            do { outcome = .success(try await body(.postgres(scoped))) } catch { outcome = .failure(error) }
            try await admin.client.query("DROP SCHEMA \(unescaped: schema) CASCADE", logger: logger)
            return try outcome.get()
        }
    }

    /// A fresh location with a migrated store on it.
    func withStore(_ body: (any AuthStore, StoreLocation) async throws -> Void) async throws {
        try await withLocation { location in
            try await location.withStore { store in try await body(store, location) }
        }
    }
}

/// Where a store's data lives. Opening a second store on the same location
/// is a restart for SQLite, and another process for PostgreSQL.
enum StoreLocation: Sendable {
    case sqlite(path: String)
    case postgres(PostgresClient.Configuration)

    /// Opens a store here, migrates it (twice: a second start finds the
    /// schema in place), runs `body`, then closes the store.
    func withStore<Result: Sendable>(_ body: (any AuthStore) async throws -> Result) async throws -> Result {
        switch self {
        case .sqlite(let path):
            let store = try await SQLiteAuthStore.open(path: path)
            do {
                try await store.migrate()
                try await store.migrate()
                let result = try await body(store)
                try await store.close()
                return result
            } catch {
                try? await store.close()
                throw error
            }
        case .postgres(let configuration):
            let store = PostgresAuthStore(configuration: configuration, logger: StoreBackend.logger)
            return try await store.withRunningPool {
                try await store.migrate()
                try await store.migrate()
                return try await body(store)
            }
        }
    }
}
