import Synchronization

/// One token bucket per caller: a caller may burst up to `limit.burst`
/// calls, then gets `limit.requests` per `limit.period`.
///
/// Time comes in as a parameter so tests drive the bucket without sleeping.
public final class RateLimiter: Sendable {
    public let limit: RateLimit
    private let buckets: Mutex<[String: Bucket]>
    /// Past this many callers, full buckets (idle callers) are dropped.
    private let sweepThreshold: Int

    struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    public enum Decision: Equatable, Sendable {
        case allowed
        /// Rejected; a token will be there after this long.
        case limited(retryAfter: Duration)
    }

    public init(limit: RateLimit, sweepThreshold: Int = 10_000) {
        self.limit = limit
        self.buckets = Mutex([:])
        self.sweepThreshold = sweepThreshold
    }

    /// Takes one token from `caller`'s bucket if it has one.
    public func take(for caller: String, now: ContinuousClock.Instant = .now) -> Decision {
        let rate = limit.refillPerSecond
        let capacity = Double(limit.burst)
        return buckets.withLock { buckets in
            var bucket = buckets[caller] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = max(0, Self.seconds(now - bucket.updated))
            bucket.tokens = min(capacity, bucket.tokens + elapsed * rate)
            bucket.updated = now
            let decision: Decision
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                decision = .allowed
            } else {
                let wait = (1 - bucket.tokens) / rate
                decision = .limited(retryAfter: .milliseconds(Int64((wait * 1000).rounded(.up))))
            }
            if buckets[caller] == nil, buckets.count >= sweepThreshold {
                Self.sweep(&buckets, now: now, rate: rate, capacity: capacity)
            }
            buckets[caller] = bucket
            return decision
        }
    }

    /// Callers tracked now.
    public var trackedCallers: Int { buckets.withLock { $0.count } }

    private static func sweep(_ buckets: inout [String: Bucket], now: ContinuousClock.Instant, rate: Double, capacity: Double) {
        buckets = buckets.filter { _, bucket in
            bucket.tokens + seconds(now - bucket.updated) * rate < capacity
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
