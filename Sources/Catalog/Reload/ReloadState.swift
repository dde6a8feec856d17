import ConnectorModel
import Foundation
import Synchronization

/// What reloads have done so far, for the next reload and for `/status`.
public final class ReloadState: Sendable {
    public struct Snapshot: Sendable {
        public var records: [String: FileRecord] = [:]
        public var files: [String] = []
        public var diagnostics: [Diagnostic] = []
        public var lastReload: Date?
        public var lastDuration: Duration?
        public var lastError: String?
        public var succeeded = 0
        public var failed = 0
        /// The tools as the files define them, before any lock.
        public var loadedTools: [CatalogTool] = []
        /// When each tool last appeared or changed, by name.
        public var changedAt: [String: Date] = [:]
        /// What the lock held back at the last reload.
        public var lockDecisions: [LockGate.Decision] = []
        public var locked = false
        /// Problems of the lock and endpoints files.
        public var folderProblems: [Diagnostic] = []
        /// The latest reloads that changed a tool, newest first.
        public var recentChanges: [(date: Date, changes: [ToolChange])] = []
    }

    /// How many reloads with changes `/status` keeps.
    public static let recentChangesKept = 20

    private let state = Mutex(Snapshot())
    private let lastFingerprint = Mutex<FolderFingerprint?>(nil)

    public init() {}

    /// The folder as the last reload found it.
    public var fingerprint: FolderFingerprint? {
        get { lastFingerprint.withLock { $0 } }
        set { lastFingerprint.withLock { $0 = newValue } }
    }

    public var records: [String: FileRecord] { state.withLock { $0.records } }
    public var snapshot: Snapshot { state.withLock { $0 } }

    var loadedTools: [CatalogTool] { state.withLock { $0.loadedTools } }

    func record(
        _ result: CatalogLoader.Result, loaded: [CatalogTool], changes: [ToolChange], decisions: [LockGate.Decision], locked: Bool,
        problems: [Diagnostic], at date: Date, duration: Duration
    ) {
        state.withLock { state in
            state.loadedTools = loaded
            for change in changes {
                if change.kind == .removed { state.changedAt[change.tool] = nil } else { state.changedAt[change.tool] = date }
            }
            if !changes.isEmpty {
                state.recentChanges.insert((date, changes), at: 0)
                if state.recentChanges.count > Self.recentChangesKept { state.recentChanges.removeLast() }
            }
            state.lockDecisions = decisions
            state.locked = locked
            state.folderProblems = problems
            state.records = result.records
            state.files = result.files
            state.diagnostics = result.diagnostics
            state.lastReload = date
            state.lastDuration = duration
            state.lastError = nil
            if result.diagnostics.isEmpty { state.succeeded += 1 } else { state.failed += 1 }
        }
    }

    func recordFailure(error: String) {
        state.withLock { state in
            state.lastError = error
            state.failed += 1
        }
    }
}
