import GatehouseJSON
import Synchronization

/// Questions this replica asked on legacy calls' streams
/// (`elicitation/create`), waiting for the client to post its answer.
///
/// A legacy session's answer must reach the replica that asked, as the
/// rest of that call does; an answer nobody waits for is dropped.
public final class PendingQuestions: Sendable {
    struct Key: Hashable {
        var session: String
        var request: JSONRPCID
    }

    typealias Waiter = CheckedContinuation<JSONObject?, Never>
    private let waiting = Mutex<[Key: Waiter]>([:])
    /// Bounds memory against a client that opens calls and never answers.
    let capacity: Int

    public init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    public var count: Int { waiting.withLock { $0.count } }

    /// Waits for the answer to `request`, until `timeout` or cancellation
    /// (the client went away); nil when none came or it was an error.
    func answer(session: String, request: JSONRPCID, timeout: Duration) async -> JSONObject? {
        let key = Key(session: session, request: request)
        return await withTaskGroup(of: JSONObject?.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: Waiter) in
                        let accepted = self.waiting.withLock { waiting -> Bool in
                            guard waiting.count < self.capacity, waiting[key] == nil else { return false }
                            waiting[key] = continuation
                            return true
                        }
                        if !accepted { continuation.resume(returning: nil) }
                        if Task.isCancelled { self.resolve(key, with: nil) }
                    }
                } onCancel: {
                    self.resolve(key, with: nil)
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// A client's answer arrived; false when no question waits for it.
    @discardableResult
    func deliver(session: String, request: JSONRPCID, result: JSONObject?) -> Bool {
        resolve(Key(session: session, request: request), with: result)
    }

    @discardableResult
    private func resolve(_ key: Key, with result: JSONObject?) -> Bool {
        guard let waiter = waiting.withLock({ $0.removeValue(forKey: key) }) else { return false }
        waiter.resume(returning: result)
        return true
    }
}
