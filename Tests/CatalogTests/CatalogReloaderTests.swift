import Foundation
import Logging
import Testing

@testable import Catalog

@Suite("The catalogue reloads itself")
struct CatalogReloaderTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("reloader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func write(_ name: String, tools: [String]) throws {
        var text = "connector: \(name)\nbase_url: https://\(name).example\ntools:\n"
        for tool in tools { text += "  - name: \(tool)\n    description: A tool.\n    path: /\(tool)\n" }
        try text.write(to: folder.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
    }

    @Test func aReloadSwapsTheStoreAndRecordsWhatItRead() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try write("a", tools: ["a_one"])
        let reloader = CatalogReloader(folder: folder.path)
        let first = try reloader.reload()
        #expect(first.toolsChanged)
        #expect(reloader.store.catalog.tools.map(\.name) == ["a_one"])
        let unchanged = try reloader.reload(full: false)
        #expect(!unchanged.toolsChanged)
        #expect(reloader.store.catalog.generation == first.result.catalog.generation)
        let snapshot = reloader.state.snapshot
        #expect(snapshot.succeeded == 2)
        #expect(snapshot.files.map { URL(fileURLWithPath: $0).lastPathComponent } == ["a.yaml"])
    }

    @Test func aFolderThatCannotBeReadIsRecordedAsAFailure() {
        let reloader = CatalogReloader(folder: folder.appendingPathComponent("missing").path)
        #expect(throws: (any Error).self) { try reloader.reload() }
        #expect(reloader.state.snapshot.failed == 1)
        #expect(reloader.state.snapshot.lastError != nil)
        try? FileManager.default.removeItem(at: folder)
    }

    @Test func aNoticedTriggerReloadsWithWatchingOff() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try write("a", tools: ["a_one"])
        let loop = ReloadLoop(
            reloader: CatalogReloader(folder: folder.path), watchMode: .off, pollInterval: .seconds(1), debounce: .zero,
            logger: Logger(label: "gatehouse.tests"))
        let (reloads, reloaded) = AsyncStream.makeStream(of: ReloadTrigger.self)
        let running = Task {
            await loop.run { trigger in
                try loop.reloader.reload(full: trigger == .hangup)
                reloaded.yield(trigger)
            }
        }
        loop.notice(.hangup)
        var iterator = reloads.makeAsyncIterator()
        #expect(await iterator.next() == .hangup)
        #expect(loop.reloader.store.catalog.tools.map(\.name) == ["a_one"])
        running.cancel()
        await running.value
    }
}
