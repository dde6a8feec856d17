import Catalog
import Logging

extension Gateway {
    /// One log line per added, removed or changed tool, with the fields
    /// that changed and a word diff of texts, and a count per kind in
    /// `/metrics`. At startup every tool is new: one summary line instead.
    func report(_ changes: [ToolChange], startup: Bool) {
        for change in changes { metrics.toolChange(change.kind.rawValue) }
        guard !startup else { return }
        for change in changes {
            var metadata: Logger.Metadata = [
                "tool": .string(change.tool), "connector": .string(change.connector), "change": .string(change.kind.rawValue),
            ]
            if let before = change.fingerprintBefore { metadata["fingerprint_before"] = .string(before) }
            if let after = change.fingerprintAfter { metadata["fingerprint"] = .string(after) }
            if !change.fields.isEmpty {
                metadata["fields"] = .string(change.fields.map(\.name).joined(separator: ","))
                metadata["diff"] = .dictionary(Dictionary(uniqueKeysWithValues: change.fields.map { ($0.name, .string($0.summary)) }))
            }
            logger.notice("tool \(change.kind.rawValue)", metadata: metadata)
        }
    }

    /// Why the lock keeps a tool as it was, or out.
    func report(_ decisions: [LockGate.Decision], locked: Bool) {
        metrics.toolsHeldByLock(decisions.count)
        for decision in decisions {
            var metadata: Logger.Metadata = [
                "tool": .string(decision.tool), "decision": .string(decision.kind.rawValue), "fingerprint": .string(decision.found),
            ]
            if let locked = decision.locked { metadata["locked_fingerprint"] = .string(locked) }
            switch decision.kind {
            case .keptLocked:
                logger.warning("tool differs from connectors.lock: serving its locked definition until the lock is updated", metadata: metadata)
            case .withheld:
                logger.warning(
                    decision.locked == nil
                        ? "tool is not in connectors.lock: not served until the lock is updated"
                        : "tool differs from connectors.lock: not served until the lock is updated",
                    metadata: metadata)
            }
        }
    }
}
