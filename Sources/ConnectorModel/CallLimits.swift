/// Limits on the upstream calls of a connector or of one tool, written in
/// the connector file so the team that owns an API decides how hard the
/// gateway may push it.
public struct CallLimits: Sendable, Equatable {
    /// Calls in flight at once; more wait (up to the call's timeout).
    public var maxConcurrent: Int?
    /// Calls each caller may make; more get a tool error saying when to retry.
    public var rateLimit: RateLimit?

    public init(maxConcurrent: Int? = nil, rateLimit: RateLimit? = nil) {
        self.maxConcurrent = maxConcurrent
        self.rateLimit = rateLimit
    }

    public var isEmpty: Bool { maxConcurrent == nil && rateLimit == nil }
}

/// A token bucket per caller: `requests` per `period` on average, with
/// bursts of up to `burst` calls.
public struct RateLimit: Sendable, Equatable {
    public var requests: Int
    public var period: Duration
    public var burst: Int

    public init(requests: Int, period: Duration, burst: Int? = nil) {
        self.requests = requests
        self.period = period
        self.burst = burst ?? requests
    }

    /// Parses `60/minute`, `10/s`, `1000/hour`, `5/day`.
    public init?(shorthand text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let requests = Int(parts[0].trimmingSpaces), requests > 0 else { return nil }
        let period: Duration
        switch parts[1].trimmingSpaces.lowercased() {
        case "s", "sec", "second": period = .seconds(1)
        case "m", "min", "minute": period = .seconds(60)
        case "h", "hour": period = .seconds(3600)
        case "d", "day": period = .seconds(86400)
        default: return nil
        }
        self.init(requests: requests, period: period)
    }

    /// Tokens added back per second.
    public var refillPerSecond: Double {
        let (seconds, attoseconds) = period.components
        return Double(requests) / (Double(seconds) + Double(attoseconds) / 1e18)
    }
}

/// Retrying an idempotent call that failed in a way worth another try.
public struct RetryPolicy: Sendable, Equatable {
    /// Retries after the first attempt; 0 turns retrying off.
    public var maxRetries: Int
    /// The first wait; each further wait doubles, with jitter.
    public var backoff: Duration
    /// No single wait is longer than this.
    public var maxBackoff: Duration
    /// Upstream statuses that are retried; connection failures always are.
    public var statuses: Set<Int>

    public init(
        maxRetries: Int, backoff: Duration = .milliseconds(200), maxBackoff: Duration = .seconds(5),
        statuses: Set<Int> = RetryPolicy.defaultStatuses
    ) {
        self.maxRetries = maxRetries
        self.backoff = backoff
        self.maxBackoff = maxBackoff
        self.statuses = statuses
    }

    public static let defaultStatuses: Set<Int> = [429, 502, 503, 504]
    public static let off = RetryPolicy(maxRetries: 0)
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return text
    }
}
