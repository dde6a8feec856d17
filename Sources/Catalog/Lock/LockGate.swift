/// What a lock lets through on a reload.
///
/// A tool whose fingerprint is the locked one is served as the files say.
/// A tool that differs keeps being served in the form that matched the
/// lock, if this process was serving it; otherwise (a new tool, or a
/// restart after the edit) it stays out. Removing a tool needs no review.
public enum LockGate {
    public struct Decision: Sendable, Equatable {
        public enum Kind: String, Sendable {
            /// Served in the locked form the process already had.
            case keptLocked = "kept_locked_definition"
            /// Not served until the lock is updated.
            case withheld
        }

        public var tool: String
        public var kind: Kind
        /// The fingerprint the files give now.
        public var found: String
        /// The fingerprint the lock names, if any.
        public var locked: String?
    }

    public static func apply(
        lock: ConnectorLock, loaded: [CatalogTool], served: [CatalogTool]
    ) -> (tools: [CatalogTool], decisions: [Decision]) {
        var previous: [String: CatalogTool] = [:]
        for tool in served { previous[tool.name] = tool }
        var tools: [CatalogTool] = []
        tools.reserveCapacity(loaded.count)
        var decisions: [Decision] = []
        for tool in loaded {
            let locked = lock.fingerprints[tool.name]
            if locked == tool.fingerprint {
                tools.append(tool)
            } else if let locked, let kept = previous[tool.name], kept.fingerprint == locked {
                tools.append(kept)
                decisions.append(Decision(tool: tool.name, kind: .keptLocked, found: tool.fingerprint, locked: locked))
            } else {
                decisions.append(Decision(tool: tool.name, kind: .withheld, found: tool.fingerprint, locked: locked))
            }
        }
        return (tools, decisions)
    }
}
