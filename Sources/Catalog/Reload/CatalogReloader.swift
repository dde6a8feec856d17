import ConnectorModel
import Foundation

/// Rereads the connector folder into a ``CatalogStore`` and remembers what
/// each reload found.
///
/// Builds the new snapshot beside the current one and replaces it in one
/// step, so calls in flight finish on the snapshot they started with. A
/// broken file keeps its last good version. Reloads must not overlap;
/// ``ReloadLoop`` runs them one at a time.
public struct CatalogReloader: Sendable {
    public let folder: String
    public let loader: CatalogLoader
    public let store: CatalogStore
    public let state: ReloadState

    public init(folder: String, loader: CatalogLoader = CatalogLoader(), store: CatalogStore = CatalogStore(), state: ReloadState = ReloadState()) {
        self.folder = folder
        self.loader = loader
        self.store = store
        self.state = state
    }

    /// What one reload did.
    public struct Outcome: Sendable {
        public var result: CatalogLoader.Result
        /// Whether the served tool list (of `/mcp` or of any endpoint)
        /// differs from before.
        public var toolsChanged: Bool
        /// Whether the tool list of `/mcp` itself differs.
        public var mainListChanged: Bool
        /// Whether the prompts differ.
        public var promptsChanged: Bool
        /// Whether the resources or resource templates differ.
        public var resourcesChanged: Bool
        /// Names of the extra endpoints whose tool list changed.
        public var changedEndpoints: [String]
        /// How the tools in the files differ from the last reload's.
        public var changes: [ToolChange]
        /// What the lock held back, when there is one.
        public var lockDecisions: [LockGate.Decision]
        /// Whether a lock file was found.
        public var locked: Bool
        /// Problems of the lock and endpoints files.
        public var problems: [Diagnostic]
        public var duration: Duration
    }

    /// A folder change rereads only the files that changed (and those that
    /// read `${file:…}` secrets); startup and SIGHUP (`full`) reread all.
    public func reload(full: Bool = true) throws -> Outcome {
        let started = ContinuousClock.now
        let current = store.catalog
        let previous = state.records
        // Taken before reading: a change made during the read differs from it.
        state.fingerprint = FolderFingerprint.of(folder)
        let result: CatalogLoader.Result
        do {
            result = try loader.load(directory: folder, previous: previous, generation: current.generation + 1, rereadAll: full)
        } catch {
            state.recordFailure(error: "\(error)")
            throw error
        }
        let directory = ConnectorFolder(path: folder, limits: loader.limits)
        let loaded = result.catalog.tools
        let changes = CatalogChanges.between(state.loadedTools, loaded)
        var problems: [Diagnostic] = []
        var served = loaded
        var decisions: [LockGate.Decision] = []
        let lockSource = directory.readSpecial(ConnectorLock.fileName)
        if let lockSource {
            let lock: ConnectorLock
            if let text = lockSource.text {
                lock = ConnectorLock(parsing: text, file: lockSource.file)
            } else {
                // An unreadable lock locks everything out rather than nothing.
                lock = ConnectorLock()
                problems.append(Diagnostic(file: lockSource.file, line: 1, column: 1, message: lockSource.problem ?? "cannot read file"))
            }
            problems += lock.problems
            (served, decisions) = LockGate.apply(lock: lock, loaded: loaded, served: current.tools)
        }
        let endpoints = EndpointsFile.read(directory)
        problems += endpoints.diagnostics
        // The first load is not a change any client saw.
        var next = Catalog(
            tools: served, connectors: result.catalog.connectors, generation: current.generation + 1, endpoints: endpoints.endpoints,
            changedAt: current.generation == 0 ? current.changedAt : .now, prompts: result.catalog.prompts,
            resources: result.catalog.resources + result.catalog.resourceTemplates)
        let toolsChanged = next.listsDiffer(from: current)
        // Same lists: keep the generation, so pagination cursors stay
        // valid, but take the new definitions (rotated secrets).
        if !toolsChanged { next = next.with(generation: current.generation, changedAt: current.changedAt) }
        let changedEndpoints = next.endpointDefinitions.map(\.name).filter {
            next.endpoints[$0]?.descriptors != current.endpoints[$0]?.descriptors
        }
        let mainListChanged = next.descriptors != current.descriptors
        let promptsChanged = next.promptDescriptors != current.promptDescriptors
        let resourcesChanged = next.resourceDescriptors != current.resourceDescriptors
        store.replace(with: next)
        let duration = ContinuousClock.now - started
        state.record(
            result, loaded: loaded, changes: changes, decisions: decisions, locked: lockSource != nil, problems: problems, at: Date(),
            duration: duration)
        return Outcome(
            result: result, toolsChanged: toolsChanged, mainListChanged: mainListChanged, promptsChanged: promptsChanged, resourcesChanged: resourcesChanged, changedEndpoints: changedEndpoints, changes: changes, lockDecisions: decisions,
            locked: lockSource != nil, problems: problems, duration: duration)
    }

    /// Whether the folder is as the last reload read it, so a second report
    /// of the same edit (inotify and polling both see it) can be ignored.
    var isUnchangedSinceLastReload: Bool {
        guard let last = state.fingerprint, last.isSettled else { return false }
        return last == FolderFingerprint.of(folder)
    }
}
