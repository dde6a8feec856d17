import ConnectorModel
import Foundation
import Testing

@testable import Catalog

/// A reload over in-memory files: each step feeds the previous records in,
/// the way the gateway does.
private struct Reloads {
    var loader = CatalogLoader(decoder: ConnectorDecoder(secrets: NoSecrets()))
    var records: [String: FileRecord] = [:]
    var generation: UInt64 = 0

    mutating func load(_ files: [(String, String?)]) -> CatalogLoader.Result {
        generation += 1
        let result = loader.assemble(files.map { (file: $0.0, text: $0.1) }, previous: records, generation: generation)
        records = result.records
        return result
    }
}

private struct NoSecrets: SecretSource {
    struct Missing: Error {}
    func environmentValue(_ name: String) -> String? { nil }
    func fileContents(_ path: String) throws -> String { throw Missing() }
}

private func file(_ connector: String, _ tools: [String], description: String = "A tool.") -> String {
    var text = "connector: \(connector)\nbase_url: https://\(connector).example\ntools:\n"
    for tool in tools { text += "  - name: \(tool)\n    description: \(description)\n    path: /\(tool)\n" }
    return text
}

private func names(_ result: CatalogLoader.Result) -> [String] { result.catalog.tools.map(\.name) }

@Suite("Reload isolation")
struct ReloadIsolationTests {
    @Test func brokenEditKeepsTheLastGoodVersion() {
        var reloads = Reloads()
        _ = reloads.load([("a.yaml", file("a", ["a_one"])), ("b.yaml", file("b", ["b_one"]))])
        let result = reloads.load([("a.yaml", "connector: a\nbase_url: nope\n"), ("b.yaml", file("b", ["b_two"]))])
        #expect(names(result) == ["a_one", "b_two"])
        #expect(result.records["a.yaml"]?.isServingLastGood == true)
        #expect(result.diagnostics.map(\.file) == ["a.yaml", "a.yaml"])
        // Fixing it serves the fix and clears the problems.
        let fixed = reloads.load([("a.yaml", file("a", ["a_fixed"])), ("b.yaml", file("b", ["b_two"]))])
        #expect(names(fixed) == ["a_fixed", "b_two"])
        #expect(fixed.diagnostics.isEmpty)
        #expect(fixed.records["a.yaml"]?.isServingLastGood == false)
    }

    @Test func aFileThatNeverLoadedIsAbsent() {
        var reloads = Reloads()
        let result = reloads.load([("a.yaml", "tools: [\n"), ("b.yaml", file("b", ["b_one"]))])
        #expect(names(result) == ["b_one"])
        #expect(result.records["a.yaml"]?.served == nil)
        #expect(!result.diagnostics.isEmpty)
    }

    @Test func unreadableFileKeepsItsLastGoodVersion() {
        var reloads = Reloads()
        _ = reloads.load([("a.yaml", file("a", ["a_one"]))])
        let result = reloads.load([("a.yaml", nil)])
        #expect(names(result) == ["a_one"])
        #expect(result.diagnostics.map(\.message) == ["cannot read file"])
    }

    @Test func deletedFileDisappears() {
        var reloads = Reloads()
        _ = reloads.load([("a.yaml", file("a", ["a_one"])), ("b.yaml", file("b", ["b_one"]))])
        let result = reloads.load([("b.yaml", file("b", ["b_one"]))])
        #expect(names(result) == ["b_one"])
        #expect(result.records["a.yaml"] == nil)
    }

    @Test func conflictingEditOfALaterFileIsRefused() {
        var reloads = Reloads()
        _ = reloads.load([("a.yaml", file("a", ["shared"])), ("b.yaml", file("b", ["b_one"]))])
        let result = reloads.load([("a.yaml", file("a", ["shared"])), ("b.yaml", file("b", ["b_one", "shared"]))])
        #expect(names(result) == ["b_one", "shared"])
        #expect(result.catalog.tool(named: "shared")?.target.connector == "a")
        #expect(result.records["b.yaml"]?.isServingLastGood == true)
        #expect(result.diagnostics.count == 1)
        #expect(result.diagnostics[0].message.hasPrefix("tool name 'shared' is already defined at a.yaml:4:11"))
    }

    @Test func conflictingEditOfAnEarlierFileIsRefusedToo() {
        // a.yaml sorts first, but the name already belongs to b.yaml: the
        // change is what gets refused, not the file that had the name.
        var reloads = Reloads()
        _ = reloads.load([("a.yaml", file("a", ["a_one"])), ("b.yaml", file("b", ["shared"]))])
        let result = reloads.load([("a.yaml", file("a", ["a_one", "shared"])), ("b.yaml", file("b", ["shared"]))])
        #expect(result.catalog.tool(named: "shared")?.target.connector == "b")
        #expect(result.catalog.tool(named: "a_one")?.target.connector == "a")
        #expect(result.records["a.yaml"]?.isServingLastGood == true)
        #expect(result.diagnostics.map(\.file) == ["a.yaml"])
        // The same decision on every later reload.
        let again = reloads.load([("a.yaml", file("a", ["a_one", "shared"])), ("b.yaml", file("b", ["shared"]))])
        #expect(again.catalog.tool(named: "shared")?.target.connector == "b")
        #expect(again.diagnostics.map(\.file) == ["a.yaml"])
    }

    @Test func twoNewFilesWithTheSameToolFavourTheFirstName() {
        var reloads = Reloads()
        let result = reloads.load([("a.yaml", file("a", ["shared"])), ("b.yaml", file("b", ["shared"]))])
        #expect(result.catalog.tool(named: "shared")?.target.connector == "a")
        #expect(result.records["b.yaml"]?.served == nil)
        #expect(result.diagnostics.map(\.file) == ["b.yaml"])
    }

    @Test func conflictingConnectorNamesAreRefused() {
        var reloads = Reloads()
        _ = reloads.load([("a.yaml", file("same", ["a_one"]))])
        let result = reloads.load([("a.yaml", file("same", ["a_one"])), ("b.yaml", file("same", ["b_one"]))])
        #expect(names(result) == ["a_one"])
        #expect(result.diagnostics.map(\.message) == ["connector name 'same' is already used by a.yaml"])
    }

    @Test func unchangedFilesAreReDecoded() {
        // Secrets may rotate without the file changing, so every reload
        // decodes every file; the served definition is the fresh one.
        var reloads = Reloads()
        let first = reloads.load([("a.yaml", file("a", ["a_one"]))])
        let second = reloads.load([("a.yaml", file("a", ["a_one"]))])
        #expect(first.catalog.descriptors == second.catalog.descriptors)
        #expect(second.diagnostics.isEmpty)
    }
}

@Suite("Catalog store")
struct CatalogStoreTests {
    @Test func readersKeepTheSnapshotTheyTook() throws {
        var reloads = Reloads()
        let store = CatalogStore(reloads.load([("a.yaml", file("a", ["a_one"]))]).catalog)
        let taken = store.catalog
        store.replace(with: reloads.load([("a.yaml", file("a", ["a_two"]))]).catalog)
        #expect(taken.tools.map(\.name) == ["a_one"])
        #expect(store.catalog.tools.map(\.name) == ["a_two"])
        #expect(store.catalog.generation == taken.generation + 1)
    }

    @Test func concurrentReadersAlwaysSeeAWholeSnapshot() async throws {
        var reloads = Reloads()
        let versions = (0..<20).map { n in reloads.load([("a.yaml", file("a", (0...n % 5).map { "t\($0)" }))]).catalog }
        let store = CatalogStore(versions[0])
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for catalog in versions { store.replace(with: catalog) }
                return true
            }
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<2000 {
                        let catalog = store.catalog
                        // A snapshot's index and list always agree.
                        for tool in catalog.tools where catalog.tool(named: tool.name)?.name != tool.name { return false }
                        if catalog.descriptors.count != catalog.tools.count { return false }
                    }
                    return true
                }
            }
            for await ok in group { #expect(ok) }
        }
    }
}

@Suite("Polling watcher")
struct PollingWatcherTests {
    @Test func fingerprintChangesWithEveryKindOfEdit() throws {
        let folder = NSTemporaryDirectory() + "gatehouse-poll-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var last = PollingWatcher.fingerprint(of: folder)
        func changed() -> Bool {
            let now = PollingWatcher.fingerprint(of: folder)
            defer { last = now }
            return now != last
        }
        try "a".write(toFile: folder + "/a.yaml", atomically: false, encoding: .utf8)
        #expect(changed())
        try "ab".write(toFile: folder + "/a.yaml", atomically: false, encoding: .utf8)
        #expect(changed())
        try FileManager.default.moveItem(atPath: folder + "/a.yaml", toPath: folder + "/b.yaml")
        #expect(changed())
        try "ignored".write(toFile: folder + "/notes.txt", atomically: false, encoding: .utf8)
        #expect(!changed())
        try FileManager.default.createSymbolicLink(atPath: folder + "/..data", withDestinationPath: "..v1")
        #expect(changed())
        try FileManager.default.removeItem(atPath: folder + "/b.yaml")
        #expect(changed())
    }
}

/// Secrets that can change between reloads.
private final class ChangingSecrets: SecretSource, @unchecked Sendable {
    var values: [String: String] = [:]
    func environmentValue(_ name: String) -> String? { values["env:" + name] }
    func fileContents(_ path: String) throws -> String {
        guard let value = values["file:" + path] else { throw NoSecrets.Missing() }
        return value
    }
}

@Suite("Incremental reloads")
struct IncrementalReloadTests {
    private func token(_ result: CatalogLoader.Result, _ tool: String) -> UpstreamAuth? {
        result.catalog.tool(named: tool)?.target.auth
    }

    @Test func unchangedFilesAreReusedButFileSecretsAreReread() {
        let secrets = ChangingSecrets()
        secrets.values = ["env:E": "env-1", "file:/s": "file-1"]
        let loader = CatalogLoader(decoder: ConnectorDecoder(secrets: secrets))
        let files: [(file: String, text: String?)] = [
            ("e.yaml", "connector: e\nbase_url: https://e.example\nauth:\n  bearer: ${env:E}\ntools:\n  - name: e_one\n    description: d\n    path: /e\n"),
            ("f.yaml", "connector: f\nbase_url: https://f.example\nauth:\n  bearer: ${file:/s}\ntools:\n  - name: f_one\n    description: d\n    path: /f\n"),
        ]
        let first = loader.assemble(files, generation: 1)
        secrets.values = ["env:E": "env-2", "file:/s": "file-2"]
        let incremental = loader.assemble(files, previous: first.records, generation: 2, rereadAll: false)
        #expect(token(incremental, "e_one") == .bearer(token: "env-1"), "unchanged file without file secrets is reused")
        #expect(token(incremental, "f_one") == .bearer(token: "file-2"), "file secrets are always reread")
        let full = loader.assemble(files, previous: incremental.records, generation: 3, rereadAll: true)
        #expect(token(full, "e_one") == .bearer(token: "env-2"))
    }

    @Test func incrementalReloadStillKeepsLastGoodAndRefusesConflicts() {
        let loader = CatalogLoader(decoder: ConnectorDecoder(secrets: NoSecrets()))
        let first = loader.assemble([("a.yaml", file("a", ["shared"])), ("b.yaml", file("b", ["b_one"]))], generation: 1)
        let second = loader.assemble(
            [("a.yaml", file("a", ["shared"])), ("b.yaml", file("b", ["b_one", "shared"]))], previous: first.records,
            generation: 2, rereadAll: false)
        #expect(second.catalog.tool(named: "shared")?.target.connector == "a")
        #expect(second.records["b.yaml"]?.isServingLastGood == true)
        // While b.yaml serves its last good version, it is decoded again on
        // every reload, so fixing it takes effect.
        let third = loader.assemble(
            [("a.yaml", file("a", ["shared"])), ("b.yaml", file("b", ["b_two"]))], previous: second.records,
            generation: 3, rereadAll: false)
        #expect(third.catalog.tools.map(\.name) == ["b_two", "shared"])
        #expect(third.diagnostics.isEmpty)
    }
}
