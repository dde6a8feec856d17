import ConnectorModel

extension RetryPolicy {
    /// The wait before retry number `retry` (1 for the first retry):
    /// exponential, capped, with "equal jitter" so callers that failed
    /// together do not come back together.
    public func delay(beforeRetry retry: Int, jitter: Double = Double.random(in: 0...1)) -> Duration {
        let base = Double(backoff.milliseconds) * Double(1 << min(max(retry - 1, 0), 20))
        let capped = min(base, Double(maxBackoff.milliseconds))
        return .milliseconds(Int64(capped / 2 + capped / 2 * jitter))
    }

    /// Whether this upstream status is worth another try.
    public func retries(status: Int) -> Bool { statuses.contains(status) }
}
