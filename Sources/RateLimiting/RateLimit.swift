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

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return text
    }
}
