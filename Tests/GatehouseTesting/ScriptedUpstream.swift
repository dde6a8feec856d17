import Synchronization
import Upstream

/// An upstream that never touches the network: it answers from a script,
/// one entry per request and then the last entry for ever, and remembers
/// what it was asked and how it was used.
///
/// One fake serves every test that needs an API: the invoker's retries read
/// the script, the limit tests read ``peakConcurrency``, the deadline tests
/// use ``Answer/stall`` and read ``cancelled``, the route tests read
/// ``requests``.
public final class ScriptedUpstream: UpstreamClient {
    public enum Answer: Sendable {
        case respond(UpstreamResponse)
        case fail(UpstreamFailure)
        /// Never answers, like an API that sent its headers and went
        /// silent mid-body; only cancellation ends the call.
        case stall
    }

    private struct State {
        var script: [Answer]
        var requests: [UpstreamRequest] = []
        var inFlight = 0
        var peakConcurrency = 0
        var cancelled = 0
    }

    private let state: Mutex<State>
    /// How long each answer takes; cancellation does not shorten it, as a
    /// real request already on the wire is not taken back.
    public let delay: Duration

    public init(_ script: [Answer], delay: Duration = .zero) {
        precondition(!script.isEmpty, "a script needs at least one answer")
        self.state = Mutex(State(script: script))
        self.delay = delay
    }

    /// Answers every request alike; by default with a small JSON object.
    public convenience init(_ answer: Answer = .respond(.json(#"{"id":"42","name":"Widget","secret":"not selected"}"#)), delay: Duration = .zero) {
        self.init([answer], delay: delay)
    }

    public var requests: [UpstreamRequest] { state.withLock { $0.requests } }

    /// Answers the next requests from `script` instead.
    public func replaceScript(_ script: [Answer]) {
        precondition(!script.isEmpty, "a script needs at least one answer")
        state.withLock { $0.script = script }
    }
    public var started: Int { state.withLock { $0.requests.count } }
    /// The most requests that were inside the upstream at once.
    public var peakConcurrency: Int { state.withLock { $0.peakConcurrency } }
    /// Stalled calls that were cancelled.
    public var cancelled: Int { state.withLock { $0.cancelled } }

    /// Returns once `count` requests have arrived; a test that cancels or
    /// times out a call uses it to know the call is inside the upstream.
    public func waitForRequests(_ count: Int = 1, within limit: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + limit
        while started < count {
            guard ContinuousClock.now < deadline else { throw WaitTimedOut(expected: count, seen: started) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    public struct WaitTimedOut: Error, CustomStringConvertible {
        public var expected: Int
        public var seen: Int
        public var description: String { "expected \(expected) upstream requests, saw \(seen)" }
    }

    public func send(_ request: UpstreamRequest) async throws(UpstreamFailure) -> UpstreamResponse {
        let answer = state.withLock { state in
            state.requests.append(request)
            state.inFlight += 1
            state.peakConcurrency = max(state.peakConcurrency, state.inFlight)
            return state.script.count > 1 ? state.script.removeFirst() : state.script[0]
        }
        defer { state.withLock { $0.inFlight -= 1 } }
        if delay > .zero { try? await Task.sleep(for: delay) }
        switch answer {
        case .respond(let response): return response
        case .fail(let failure): throw failure
        case .stall:
            do {
                try await Task.sleep(for: .seconds(3600))
            } catch {
                state.withLock { $0.cancelled += 1 }
            }
            throw .connectionFailed("cancelled")
        }
    }
}

extension UpstreamResponse {
    /// A JSON answer, the common case in tests.
    public static func json(_ text: String, status: Int = 200, reason: String = "OK", retryAfter: Duration? = nil) -> UpstreamResponse {
        UpstreamResponse(status: status, reason: reason, contentType: "application/json; charset=utf-8", body: Array(text.utf8), retryAfter: retryAfter)
    }
}
