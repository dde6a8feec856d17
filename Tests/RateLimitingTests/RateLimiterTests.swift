import Testing

@testable import RateLimiting

@Suite("Rate limiter")
struct RateLimiterTests {
    @Test func burstThenSteadyRate() {
        let start = ContinuousClock.now
        let limiter = RateLimiter(limit: RateLimit(requests: 2, period: .seconds(1), burst: 3))
        for _ in 0..<3 { #expect(limiter.take(for: "alice", now: start) == .allowed) }
        guard case .limited(let wait) = limiter.take(for: "alice", now: start) else {
            Issue.record("the fourth call in the same instant must be limited")
            return
        }
        #expect(wait == .milliseconds(500))
        #expect(limiter.take(for: "alice", now: start + .milliseconds(499)) != .allowed)
        #expect(limiter.take(for: "alice", now: start + .milliseconds(1000)) == .allowed)
    }

    @Test func callersHaveTheirOwnBuckets() {
        let start = ContinuousClock.now
        let limiter = RateLimiter(limit: RateLimit(requests: 1, period: .seconds(60)))
        #expect(limiter.take(for: "alice", now: start) == .allowed)
        #expect(limiter.take(for: "alice", now: start) != .allowed)
        #expect(limiter.take(for: "bob", now: start) == .allowed)
    }

    @Test func idleCallersAreForgotten() {
        let start = ContinuousClock.now
        let limiter = RateLimiter(limit: RateLimit(requests: 10, period: .seconds(1)), sweepThreshold: 100)
        for index in 0..<100 { _ = limiter.take(for: "caller-\(index)", now: start) }
        #expect(limiter.trackedCallers == 100)
        _ = limiter.take(for: "late", now: start + .seconds(5))
        #expect(limiter.trackedCallers == 1, "full buckets are dropped once the table is large")
    }

    @Test func shorthand() {
        #expect(RateLimit(shorthand: "60/minute") == RateLimit(requests: 60, period: .seconds(60)))
        #expect(RateLimit(shorthand: "5 / s") == RateLimit(requests: 5, period: .seconds(1)))
        #expect(RateLimit(shorthand: "1000/hour")?.refillPerSecond == 1000.0 / 3600)
        #expect(RateLimit(shorthand: "0/minute") == nil)
        #expect(RateLimit(shorthand: "ten/minute") == nil)
        #expect(RateLimit(shorthand: "10/fortnight") == nil)
    }
}
