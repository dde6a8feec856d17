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
    }

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

    func record(_ result: CatalogLoader.Result, at date: Date, duration: Duration) {
        state.withLock { state in
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
