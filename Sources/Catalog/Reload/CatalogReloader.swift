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
        /// Whether the served tool list differs from before.
        public var toolsChanged: Bool
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
        let toolsChanged = result.catalog.descriptors != current.descriptors
        if toolsChanged {
            store.replace(with: result.catalog)
        } else {
            // Same tools: keep the generation, so pagination cursors stay
            // valid, but take the new definitions (rotated secrets).
            store.replace(with: Catalog(
                tools: result.catalog.tools, connectors: result.catalog.connectors, generation: current.generation))
        }
        let duration = ContinuousClock.now - started
        state.record(result, at: Date(), duration: duration)
        return Outcome(result: result, toolsChanged: toolsChanged, duration: duration)
    }

    /// Whether the folder is as the last reload read it, so a second report
    /// of the same edit (inotify and polling both see it) can be ignored.
    var isUnchangedSinceLastReload: Bool {
        guard let last = state.fingerprint, last.isSettled else { return false }
        return last == FolderFingerprint.of(folder)
    }
}
