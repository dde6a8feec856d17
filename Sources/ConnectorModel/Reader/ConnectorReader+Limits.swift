import GatehouseJSON
import RateLimiting
import Yams

/// `limits:` and `retries:`, on a connector or a tool.
extension ConnectorReader {
    /// `limits: { max_concurrent: 8, rate_limit: 60/minute }`.
    mutating func readLimits(_ node: Yams.Node) -> CallLimits? {
        guard let items = decoding.mapping(node, "limits", keys: LimitsKey.self) else { return nil }
        var limits = CallLimits()
        for (key, item) in items.keyed {
            switch key {
            case .maxConcurrent:
                limits.maxConcurrent = decoding.integer(item.value, "limits.max_concurrent", range: 1...100_000)
            case .rateLimit:
                limits.rateLimit = readRateLimit(item.value)
            }
        }
        return limits
    }

    /// `60/minute`, or `{ requests: 60, per: 1m, burst: 10 }`.
    mutating func readRateLimit(_ node: Yams.Node) -> RateLimit? {
        let what = "limits.rate_limit"
        if case .scalar(let scalar) = node {
            guard let limit = RateLimit(shorthand: scalar.string) else {
                decoding.error(node, "\(what) must look like 60/minute (per second, minute, hour or day) or be a mapping with requests and per")
                return nil
            }
            return limit
        }
        guard let byKey = decoding.mapping(node, what, keys: RateLimitKey.self) else { return nil }
        guard let requestsEntry = byKey[.requests], let perEntry = byKey[.per] else {
            decoding.error(node, "\(what) needs both requests and per (for example requests: 60, per: 1m)")
            return nil
        }
        guard let requests = decoding.integer(requestsEntry.value, "\(what).requests", range: 1...1_000_000),
            let period = decoding.duration(perEntry.value, "\(what).per")
        else { return nil }
        var burst: Int?
        if let entry = byKey[.burst] {
            guard let value = decoding.integer(entry.value, "\(what).burst", range: 1...1_000_000) else { return nil }
            burst = value
        }
        return RateLimit(requests: requests, period: period, burst: burst)
    }

    /// `retries: 2`, or `{ max: 2, backoff: 200ms, max_backoff: 5s, statuses: [503] }`.
    mutating func readRetries(_ node: Yams.Node) -> RetryPolicy? {
        if case .scalar = node, node.tagName == .int {
            guard let count = decoding.integer(node, "retries", range: 0...10) else { return nil }
            return RetryPolicy(maxRetries: count)
        }
        guard let items = decoding.mapping(node, "retries", keys: RetriesKey.self) else { return nil }
        var policy = RetryPolicy(maxRetries: 1)
        var valid = true
        for (key, item) in items.keyed {
            switch key {
            case .max:
                if let count = decoding.integer(item.value, "retries.max", range: 0...10) { policy.maxRetries = count } else { valid = false }
            case .backoff:
                if let wait = decoding.duration(item.value, "retries.backoff") { policy.backoff = wait } else { valid = false }
            case .maxBackoff:
                if let wait = decoding.duration(item.value, "retries.max_backoff") { policy.maxBackoff = wait } else { valid = false }
            case .statuses:
                guard let nodes = decoding.sequence(item.value, "retries.statuses") else { valid = false; continue }
                var statuses: Set<Int> = []
                for status in nodes {
                    if let code = decoding.integer(status, "retries.statuses entry", range: 400...599) { statuses.insert(code) } else { valid = false }
                }
                policy.statuses = statuses
            }
        }
        if policy.maxBackoff < policy.backoff { policy.maxBackoff = policy.backoff }
        return valid ? policy : nil
    }
}
