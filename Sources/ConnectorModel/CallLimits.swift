import RateLimiting

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
