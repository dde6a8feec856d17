/// The keys of `limits:`, on a connector or a tool.
enum LimitsKey: String, SectionKey {
    /// Upstream calls in flight at once.
    case maxConcurrent = "max_concurrent"
    /// Calls per caller and period (see ``RateLimitKey``).
    case rateLimit = "rate_limit"
}

/// The keys of `rate_limit:` written as a mapping rather than `60/minute`.
enum RateLimitKey: String, SectionKey {
    /// Calls allowed per period.
    case requests
    /// The period.
    case per
    /// Calls allowed at once above the steady rate.
    case burst
}

/// The keys of `retries:` written as a mapping rather than a count.
enum RetriesKey: String, SectionKey {
    /// Retries after the first attempt.
    case max
    /// The first wait; it doubles each time.
    case backoff
    /// The longest wait.
    case maxBackoff = "max_backoff"
    /// The HTTP statuses that are retried.
    case statuses
}
