import ConnectorModel
import GatehouseTesting
import Testing

@testable import Catalog

@Suite("The lock")
struct ConnectorLockTests {
    static func text(description: String = "Lists tickets.", extra: [String] = []) -> String {
        var text = "connector: tickets\nbase_url: https://api.example\ntools:\n"
        text += "  - name: list_tickets\n    description: \(description)\n    path: /tickets\n"
        for tool in extra { text += "  - name: \(tool)\n    description: A tool.\n    path: /\(tool)\n" }
        return text
    }

    @Test func itIsWrittenAndReadBack() throws {
        let tools = CatalogLoader().assemble([(file: "t.yaml", text: Self.text(extra: ["b_tool"]))]).catalog.tools
        let text = ConnectorLock.render(tools)
        #expect(text.contains("list_tickets \(tools[1].fingerprint) tickets: GET /tickets"))
        let lock = ConnectorLock(parsing: text, file: "connectors.lock")
        #expect(lock.problems.isEmpty)
        #expect(lock.fingerprints == ["list_tickets": tools[1].fingerprint, "b_tool": tools[0].fingerprint])
        #expect(lock.staleness(of: tools).isEmpty)
    }

    @Test func brokenLinesAreProblemsWithTheirLine() {
        let lock = ConnectorLock(
            parsing: "# comment\n\nlist_tickets sha256:0123\nok sha256:0123456789abcdef0123456789abcdef\nok sha256:0123456789abcdef0123456789abcdef\n",
            file: "connectors.lock")
        #expect(lock.problems.map(\.line) == [3, 5])
        #expect(lock.fingerprints == ["ok": "sha256:0123456789abcdef0123456789abcdef"])
    }

    @Test func stalenessNamesEveryMismatch() {
        let old = CatalogLoader().assemble([(file: "t.yaml", text: Self.text(extra: ["gone"]))]).catalog.tools
        let lock = ConnectorLock(tools: old)
        let new = CatalogLoader().assemble([(file: "t.yaml", text: Self.text(description: "Lists open tickets.", extra: ["fresh"]))])
            .catalog.tools
        #expect(lock.staleness(of: new) == [
            LockMismatch(tool: "fresh", kind: .notLocked), LockMismatch(tool: "list_tickets", kind: .changed),
            LockMismatch(tool: "gone", kind: .gone),
        ])
    }

    @Test func theGateKeepsTheLockedFormAndWithholdsTheUnreviewed() {
        let old = CatalogLoader().assemble([(file: "t.yaml", text: Self.text())]).catalog.tools
        let lock = ConnectorLock(tools: old)
        let loaded = CatalogLoader().assemble([(file: "t.yaml", text: Self.text(description: "Changed.", extra: ["fresh"]))])
            .catalog.tools
        let (served, decisions) = LockGate.apply(lock: lock, loaded: loaded, served: old)
        #expect(served.map(\.name) == ["list_tickets"])
        #expect(served.first?.definition.description == "Lists tickets.")
        #expect(decisions.map(\.kind) == [.withheld, .keptLocked])
        // After a restart nothing locked is in memory: the changed tool stays out too.
        let (afterRestart, _) = LockGate.apply(lock: lock, loaded: loaded, served: [])
        #expect(afterRestart.isEmpty)
    }

    @Test func theReloaderServesOnlyWhatTheLockAllows() throws {
        let folder = try TemporaryFolder(["tickets.yaml": Self.text()])
        let reloader = CatalogReloader(folder: folder.path)
        try reloader.reload()
        let locked = reloader.store.catalog.tools
        try folder.write(ConnectorLock.fileName, ConnectorLock.render(locked))

        try folder.write("tickets.yaml", Self.text(description: "Lists every ticket.", extra: ["fresh"]))
        let held = try reloader.reload()
        #expect(held.locked)
        #expect(held.changes.map(\.kind) == [.added, .changed])
        #expect(reloader.store.catalog.tools.map(\.name) == ["list_tickets"])
        #expect(reloader.store.catalog.tools.first?.definition.description == "Lists tickets.")
        #expect(reloader.state.snapshot.lockDecisions.map(\.tool) == ["fresh", "list_tickets"])

        // Reviewed: the new lock lets both through.
        try folder.write(ConnectorLock.fileName, ConnectorLock.render(reloader.state.loadedTools))
        let reviewed = try reloader.reload()
        #expect(reviewed.toolsChanged)
        #expect(reloader.store.catalog.tools.map(\.name) == ["fresh", "list_tickets"])
        #expect(reloader.store.catalog.tool(named: "list_tickets")?.definition.description == "Lists every ticket.")
        #expect(reloader.state.snapshot.lockDecisions.isEmpty)

        // Without a lock, everything in the files is served.
        try folder.remove(ConnectorLock.fileName)
        try folder.write("tickets.yaml", Self.text(description: "Again.", extra: ["fresh", "third"]))
        try reloader.reload()
        #expect(reloader.store.catalog.tools.count == 3)
        #expect(!reloader.state.snapshot.locked)
    }

    @Test func aChangeIsDatedAndRememberedForStatus() throws {
        let folder = try TemporaryFolder(["tickets.yaml": Self.text()])
        let reloader = CatalogReloader(folder: folder.path)
        try reloader.reload()
        let first = try #require(reloader.state.snapshot.changedAt["list_tickets"])
        try reloader.reload()
        #expect(reloader.state.snapshot.changedAt["list_tickets"] == first)
        try folder.write("tickets.yaml", Self.text(description: "New words."))
        try reloader.reload()
        #expect(try #require(reloader.state.snapshot.changedAt["list_tickets"]) > first)
        #expect(reloader.state.snapshot.recentChanges.first?.changes.map(\.tool) == ["list_tickets"])
    }
}
