import Foundation
import Testing

@testable import AuthorizationServer

/// Users' own credentials and link flows, on every backend: the single-use
/// steps must hold when replicas race for them.
@Suite("User credential store")
struct UserCredentialStoreTests {
    func flow(_ id: String, subject: String = "alice", expiresAt: Int64 = 2_000) -> LinkFlow {
        LinkFlow(id: id, subject: subject, connector: "crm", elicitationID: "e-\(id)", createdAt: 1_000, expiresAt: expiresAt, data: "{}")
    }

    @Test(arguments: StoreBackend.tested) func credentialsAreSavedPerUserAndConnector(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            let first = try await store.saveUserCredential(subject: "alice", connector: "crm", kind: "linked_account", sealed: [1, 2], now: 10)
            #expect(first.version == 1)
            _ = try await store.saveUserCredential(subject: "alice", connector: "tracker", kind: "api_key", sealed: [3], now: 11)
            _ = try await store.saveUserCredential(subject: "bob", connector: "crm", kind: "linked_account", sealed: [4], now: 12)
            let again = try await store.saveUserCredential(subject: "alice", connector: "crm", kind: "linked_account", sealed: [5], now: 13)
            #expect(again.version == 2)
            #expect(try await store.userCredential(subject: "alice", connector: "crm")?.sealed == [5])
            #expect(try await store.userCredential(subject: "bob", connector: "crm")?.sealed == [4])
            #expect(try await store.userCredential(subject: "carol", connector: "crm") == nil)
            #expect(try await store.userCredentials(subject: "alice").map(\.connector) == ["crm", "tracker"])
        }
    }

    @Test(arguments: StoreBackend.tested) func aStaleVersionCannotOverwriteANewerRefresh(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            let saved = try await store.saveUserCredential(subject: "alice", connector: "crm", kind: "linked_account", sealed: [1], now: 10)
            let refreshed = try await store.replaceUserCredential(
                subject: "alice", connector: "crm", expectedVersion: saved.version, sealed: [2], now: 11)
            #expect(refreshed?.version == saved.version + 1)
            let stale = try await store.replaceUserCredential(
                subject: "alice", connector: "crm", expectedVersion: saved.version, sealed: [3], now: 12)
            #expect(stale == nil)
            #expect(try await store.userCredential(subject: "alice", connector: "crm")?.sealed == [2])
        }
    }

    @Test(arguments: StoreBackend.tested) func racingRefreshesHaveOneWinner(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            let saved = try await store.saveUserCredential(subject: "alice", connector: "crm", kind: "linked_account", sealed: [0], now: 10)
            let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 1...20 {
                    group.addTask {
                        try await store.replaceUserCredential(
                            subject: "alice", connector: "crm", expectedVersion: saved.version, sealed: [UInt8(i)], now: 11) != nil
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(winners == 1)
        }
    }

    @Test(arguments: StoreBackend.tested) func deletingCountsWhatWentAndKeepsOtherUsers(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            for connector in ["a", "b", "c"] {
                _ = try await store.saveUserCredential(subject: "alice", connector: connector, kind: "api_key", sealed: [1], now: 1)
            }
            _ = try await store.saveUserCredential(subject: "bob", connector: "a", kind: "api_key", sealed: [1], now: 1)
            #expect(try await store.deleteUserCredentials(subject: "alice", connector: "a") == 1)
            #expect(try await store.deleteUserCredentials(subject: "alice", connector: "a") == 0)
            #expect(try await store.deleteUserCredentials(subject: "alice", connector: nil) == 2)
            #expect(try await store.userCredential(subject: "bob", connector: "a") != nil)
        }
    }

    @Test(arguments: StoreBackend.tested) func aLinkOpensOnceEvenUnderARace(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            try await store.saveLinkFlow(flow("f1"))
            let opened = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<20 { group.addTask { try await store.openLinkFlow(id: "f1", now: 1_100) != nil } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(opened == 1)
            #expect(try await store.openLinkFlow(id: "f1", now: 1_200) == nil)
            #expect(try await store.openLinkFlow(id: "unknown", now: 1_200) == nil)
        }
    }

    @Test(arguments: StoreBackend.tested) func anExpiredLinkDoesNotOpenOrAdvance(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            try await store.saveLinkFlow(flow("f2", expiresAt: 1_500))
            #expect(try await store.openLinkFlow(id: "f2", now: 1_500) == nil)
            #expect(try await store.advanceLinkFlow(id: "f2", stateHash: "s", data: "{}", now: 1_600) == false)
        }
    }

    @Test(arguments: StoreBackend.tested) func eachStateIsTakenOnceAndAFinishedFlowIsDone(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            try await store.saveLinkFlow(flow("f3"))
            _ = try await store.openLinkFlow(id: "f3", now: 1_100)
            #expect(try await store.advanceLinkFlow(id: "f3", stateHash: "state-1", data: #"{"stage":"sign_in"}"#, now: 1_100))
            let taken = try #require(try await store.takeLinkFlow(stateHash: "state-1", now: 1_200))
            #expect(taken.data == #"{"stage":"sign_in"}"# && taken.subject == "alice" && taken.elicitationID == "e-f3")
            #expect(try await store.takeLinkFlow(stateHash: "state-1", now: 1_201) == nil)
            #expect(try await store.advanceLinkFlow(id: "f3", stateHash: "state-2", data: "{}", now: 1_300))
            try await store.finishLinkFlow(id: "f3", now: 1_400)
            #expect(try await store.takeLinkFlow(stateHash: "state-2", now: 1_401) == nil)
            #expect(try await store.advanceLinkFlow(id: "f3", stateHash: "state-3", data: "{}", now: 1_402) == false)
            #expect(try await store.linkFlow(id: "f3")?.connector == "crm")
        }
    }

    @Test(arguments: StoreBackend.tested) func flowsLongExpiredAreCleanedUpWhenNewOnesArrive(_ backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            try await store.saveLinkFlow(flow("old", expiresAt: 100))
            try await store.saveLinkFlow(LinkFlow(id: "new", subject: "a", connector: "c", elicitationID: "e", createdAt: 200_000, expiresAt: 200_600, data: "{}"))
            #expect(try await store.linkFlow(id: "old") == nil)
            #expect(try await store.linkFlow(id: "new") != nil)
        }
    }
}
