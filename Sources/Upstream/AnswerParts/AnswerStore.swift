import Foundation
import Synchronization

/// Where the whole text of a cut answer is kept while its parts are read.
/// A protocol so a store shared by replicas can stand behind it.
public protocol AnswerStore: Sendable {
    func save(id: String, caller: String, text: String, expires: Date) async
    /// The text saved under `id` for this caller, if it is still there.
    func load(id: String, caller: String, now: Date) async -> String?
}

/// The answers of this process, within a byte budget; the oldest go first.
/// Reading the next part on the replica that answered costs no upstream
/// call; elsewhere a call that may be sent again is rebuilt.
public final class MemoryAnswerStore: AnswerStore {
    struct Entry {
        var caller: String
        var text: String
        var expires: Date
    }

    struct State {
        var entries: [String: Entry] = [:]
        var order: [String] = []
        var bytes = 0
    }

    let budget: Int
    private let state = Mutex(State())

    public init(budget: Int = 64 << 20) {
        self.budget = budget
    }

    public func save(id: String, caller: String, text: String, expires: Date) {
        let size = text.utf8.count
        guard size <= budget else { return }
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: id) { state.bytes -= old.text.utf8.count }
            state.entries[id] = Entry(caller: caller, text: text, expires: expires)
            state.order.append(id)
            state.bytes += size
            var dropped = 0
            while state.bytes > budget, dropped < state.order.count {
                let oldest = state.order[dropped]
                dropped += 1
                if oldest == id { continue }
                if let entry = state.entries.removeValue(forKey: oldest) { state.bytes -= entry.text.utf8.count }
            }
            state.order.removeFirst(dropped)
            if state.order.count > 4 * max(state.entries.count, 16) {
                state.order = state.order.filter { state.entries[$0] != nil }
            }
        }
    }

    public func load(id: String, caller: String, now: Date) -> String? {
        state.withLock { state in
            guard let entry = state.entries[id], entry.caller == caller else { return nil }
            guard entry.expires > now else {
                state.entries[id] = nil
                state.bytes -= entry.text.utf8.count
                return nil
            }
            return entry.text
        }
    }

    /// Bytes held now, for tests.
    public var heldBytes: Int { state.withLock { $0.bytes } }
}
