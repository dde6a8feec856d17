import Synchronization

/// One slot per task of a `concurrentPerform`, each written once by its
/// own task, read after all have finished.
final class ResultSlots<Value: Sendable>: Sendable {
    private let slots: Mutex<[Value?]>

    init(count: Int) {
        slots = Mutex(Array(repeating: nil, count: count))
    }

    func put(_ value: Value, at index: Int) {
        slots.withLock { $0[index] = value }
    }

    /// Every slot's value, in order; call once all tasks have finished.
    var values: [Value] {
        slots.withLock { $0.map { $0! } }
    }
}
