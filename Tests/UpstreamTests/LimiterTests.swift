import ConnectorModel
import Synchronization
import Testing

@testable import Upstream

@Suite("Concurrency limiter")
struct ConcurrencyLimiterTests {
    @Test func neverMoreThanCapacityInFlight() async {
        let limiter = ConcurrencyLimiter(capacity: 3)
        let peak = Peak()
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    guard await limiter.acquire(until: .now + .seconds(10)) else { return false }
                    peak.enter()
                    try? await Task.sleep(for: .milliseconds(2))
                    peak.leave()
                    limiter.release()
                    return true
                }
            }
            var granted = 0
            for await ok in group where ok { granted += 1 }
            #expect(granted == 40)
        }
        #expect(peak.highest == 3)
        #expect(limiter.inFlight == 0)
        #expect(limiter.waiting == 0)
    }

    @Test func waitingEndsAtTheDeadline() async {
        let limiter = ConcurrencyLimiter(capacity: 1)
        #expect(await limiter.acquire(until: .now + .seconds(1)))
        let started = ContinuousClock.now
        #expect(await limiter.acquire(until: .now + .milliseconds(50)) == false)
        #expect(ContinuousClock.now - started >= .milliseconds(45))
        #expect(limiter.waiting == 0, "a timed-out waiter leaves the queue")
        limiter.release()
        #expect(limiter.inFlight == 0)
        #expect(await limiter.acquire(until: .now + .milliseconds(10)))
    }

    @Test func aReleasedSlotGoesToTheFirstWaiter() async throws {
        let limiter = ConcurrencyLimiter(capacity: 1)
        #expect(await limiter.acquire(until: .now + .seconds(1)))
        let order = Order()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<3 {
                group.addTask {
                    #expect(await limiter.acquire(until: .now + .seconds(5)))
                    order.append(index)
                    limiter.release()
                }
                // Let each waiter queue before the next arrives.
                while limiter.waiting < index + 1 { try await Task.sleep(for: .milliseconds(1)) }
            }
            limiter.release()
            try await group.waitForAll()
        }
        #expect(order.values == [0, 1, 2])
    }

    @Test func aCancelledWaiterGivesUpItsPlace() async throws {
        let limiter = ConcurrencyLimiter(capacity: 1)
        #expect(await limiter.acquire(until: .now + .seconds(1)))
        let waiter = Task { await limiter.acquire(until: .now + .seconds(30)) }
        while limiter.waiting == 0 { try await Task.sleep(for: .milliseconds(1)) }
        waiter.cancel()
        #expect(await waiter.value == false)
        #expect(limiter.waiting == 0)
        limiter.release()
        #expect(limiter.inFlight == 0)
    }
}

@Suite("Retry backoff")
struct RetryBackoffTests {
    @Test func exponentialCappedWithJitter() {
        let policy = RetryPolicy(maxRetries: 5, backoff: .milliseconds(100), maxBackoff: .milliseconds(500))
        #expect(policy.delay(beforeRetry: 1, jitter: 1) == .milliseconds(100))
        #expect(policy.delay(beforeRetry: 1, jitter: 0) == .milliseconds(50))
        #expect(policy.delay(beforeRetry: 2, jitter: 1) == .milliseconds(200))
        #expect(policy.delay(beforeRetry: 3, jitter: 1) == .milliseconds(400))
        #expect(policy.delay(beforeRetry: 4, jitter: 1) == .milliseconds(500))
        #expect(policy.delay(beforeRetry: 60, jitter: 1) == .milliseconds(500))
    }
}

/// The most tasks seen inside a section at once.
final class Peak: Sendable {
    private let state = Mutex((now: 0, highest: 0))
    func enter() { state.withLock { $0.now += 1; $0.highest = max($0.highest, $0.now) } }
    func leave() { state.withLock { $0.now -= 1 } }
    var highest: Int { state.withLock { $0.highest } }
}

final class Order: Sendable {
    private let state = Mutex<[Int]>([])
    func append(_ value: Int) { state.withLock { $0.append(value) } }
    var values: [Int] { state.withLock { $0 } }
}
