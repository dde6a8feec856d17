import ConnectorModel
import RateLimiting
import Synchronization

/// The live limiter state of every connector and tool with limits.
///
/// It lives outside the catalog snapshot so a reload does not hand every
/// caller a fresh rate-limit budget or forget the calls in flight: a limiter
/// is kept while its settings stay the same and replaced when they change.
public final class LimitRegistry: Sendable {
    private let entries: Mutex<[String: Limiters]>

    /// The limiters for one connector or one tool.
    public struct Limiters: Sendable {
        public var limits: CallLimits
        public var concurrency: ConcurrencyLimiter?
        public var rate: RateLimiter?

        init(_ limits: CallLimits) {
            self.limits = limits
            self.concurrency = limits.maxConcurrent.map { ConcurrencyLimiter(capacity: $0) }
            self.rate = limits.rateLimit.map { RateLimiter(limit: $0) }
        }
    }

    public init() {
        self.entries = Mutex([:])
    }

    /// The limiters of a connector, shared by all its tools.
    public func connector(_ name: String, limits: CallLimits) -> Limiters {
        limiters(key: "connector " + name, limits: limits)
    }

    /// The limiters of one tool of a connector.
    public func tool(_ name: String, of connector: String, limits: CallLimits) -> Limiters {
        limiters(key: "tool " + connector + "/" + name, limits: limits)
    }

    private func limiters(key: String, limits: CallLimits) -> Limiters {
        entries.withLock { entries in
            if let existing = entries[key], existing.limits == limits { return existing }
            let fresh = Limiters(limits)
            entries[key] = fresh
            return fresh
        }
    }
}
