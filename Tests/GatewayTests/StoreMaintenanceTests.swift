import AuthorizationServer
import Configuration
import Foundation
import Gateway
import Logging
import Testing

/// `gatehouse auth unlink` and `gatehouse auth reseal` run these functions;
/// they open the store themselves, as the commands do with no gateway running.
@Suite("Store maintenance commands")
struct StoreMaintenanceTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-maintenance-\(UUID().uuidString).sqlite").path

    func removeStore() { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }

    @Test func unlinkRemovesOneConnectorOrAllAndIsAudited() async throws {
        defer { removeStore() }
        let store = try await SQLiteAuthStore.open(path: path)
        try await store.migrate()
        for (subject, connector) in [("ada", "crm"), ("ada", "tracker"), ("ada", "wiki"), ("bob", "crm")] {
            try await store.saveUserCredential(subject: subject, connector: connector, kind: "api_key", sealed: [1, 2, 3], now: 1)
        }
        try await store.close()
        let events = RecordingEvents()
        let one = try await StoreMaintenance.unlink(store: path, subject: "ada", connector: "crm", events: events, logger: Logger(label: "t"))
        #expect(one == 1)
        let rest = try await StoreMaintenance.unlink(store: path, subject: "ada", connector: nil, events: events, logger: Logger(label: "t"))
        #expect(rest == 2)
        #expect(events.all.map(\.kind) == [.unlinked, .unlinked])
        #expect(events.all.allSatisfy { $0.subject == "ada" })
        let reopened = try await SQLiteAuthStore.open(path: path)
        #expect(try await reopened.userCredentials(subject: "ada").isEmpty)
        #expect(try await reopened.userCredential(subject: "bob", connector: "crm") != nil)
        try await reopened.close()
    }

    @Test func resealMovesEverythingToTheCurrentSecretFromTheSettings() async throws {
        defer { removeStore() }
        let old = String(repeating: "o", count: 32), new = String(repeating: "n", count: 32)
        let previousFile = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-previous-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: previousFile) }
        try (old + "\n").write(toFile: previousFile, atomically: true, encoding: .utf8)

        let store = try await SQLiteAuthStore.open(path: path)
        try await store.migrate()
        let sealed = try SecretBox(secret: Array(old.utf8)).seal(Array("personal key".utf8))
        try await store.saveUserCredential(subject: "ada", connector: "crm", kind: "api_key", sealed: sealed, now: 1)
        try await store.close()

        let reader = ConfigReader(provider: InMemoryProvider(values: [
            "gatehouse.auth.store.secret": .init(.string(new), isSecret: true),
            "gatehouse.auth.store.previous.secrets.file": .init(.string(previousFile), isSecret: false),
        ]))
        let report = try await StoreMaintenance.reseal(store: path, reader: reader, logger: Logger(label: "t"))
        #expect(report.resealed == 1 && report.unreadable == 0)

        let reopened = try await SQLiteAuthStore.open(path: path)
        let stored = try #require(try await reopened.userCredential(subject: "ada", connector: "crm"))
        #expect(try SecretBox(secret: Array(new.utf8)).open(stored.sealed) == Array("personal key".utf8))
        try await reopened.close()

        let again = try await StoreMaintenance.reseal(store: path, reader: reader, logger: Logger(label: "t"))
        #expect(again.resealed == 0 && again.alreadyCurrent == 1)
    }

    @Test func resealWithoutASecretIsRefused() async throws {
        defer { removeStore() }
        let reader = ConfigReader(provider: InMemoryProvider(values: [:]))
        await #expect(throws: GatewaySettings.Invalid.self) {
            try await StoreMaintenance.reseal(store: path, reader: reader, logger: Logger(label: "t"))
        }
    }
}
