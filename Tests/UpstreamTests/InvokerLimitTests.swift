import Caller
import ConnectorModel
import GatehouseJSON
import RateLimiting
import Synchronization
import GatehouseTesting
import Testing

@testable import Upstream

private func response(_ status: Int, retryAfter: Duration? = nil) -> ScriptedUpstream.Answer {
    .respond(UpstreamResponse(status: status, contentType: "application/json", body: Array(#"{"ok":true}"#.utf8), retryAfter: retryAfter))
}

/// Records the waits instead of sleeping.
final class Waits: Sendable {
    private let storage = Mutex<[Duration]>([])
    var all: [Duration] { storage.withLock { $0 } }
    var sleep: @Sendable (Duration) async -> Void { { duration in self.storage.withLock { $0.append(duration) } } }
}

private func invoker(_ client: ScriptedUpstream, waits: Waits = Waits(), limits: LimitRegistry = LimitRegistry()) -> ToolInvoker {
    ToolInvoker(client: client, limits: limits, sleep: waits.sleep)
}

@Suite("Retries")
struct RetryTests {
    @Test func idempotentCallsAreRetriedOnRetryableStatuses() async throws {
        let decoded = try decodeTool("    retries: { max: 3, backoff: 100ms }")
        let client = ScriptedUpstream([response(503), response(502), response(200)])
        let waits = Waits()
        let outcome = await invoker(client, waits: waits).call(decoded)
        #expect(outcome.kind == .ok)
        #expect(outcome.attempts == 3)
        #expect(client.requests.count == 3)
        #expect(waits.all.count == 2)
        #expect(waits.all.allSatisfy { $0 >= .milliseconds(50) && $0 <= .milliseconds(200) })
    }

    @Test func retriesStopAtTheLimit() async throws {
        let decoded = try decodeTool("", connectorLines: "retries: 2")
        let client = ScriptedUpstream([response(503)])
        let outcome = await invoker(client).call(decoded)
        #expect(outcome.kind == .upstreamError)
        #expect(outcome.upstreamStatus == 503)
        #expect(client.requests.count == 3)
        #expect(outcome.result.isError)
    }

    @Test func connectionFailuresAreRetriedButTimeoutsAreNot() async throws {
        let decoded = try decodeTool("", connectorLines: "retries: 2")
        let flaky = ScriptedUpstream([.fail(.connectionFailed("connection refused")), response(200)])
        #expect(await invoker(flaky).call(decoded).kind == .ok)
        #expect(flaky.requests.count == 2)
        let slow = ScriptedUpstream([.fail(.timedOut(.seconds(1))), response(200)])
        #expect(await invoker(slow).call(decoded).kind == .timeout)
        #expect(slow.requests.count == 1)
    }

    @Test func postIsNeverRetriedByTheConnectorPolicy() async throws {
        let decoded = try decodeTool("", method: "POST", connectorLines: "retries: 3")
        let client = ScriptedUpstream([response(503), response(200)])
        let outcome = await invoker(client).call(decoded)
        #expect(outcome.upstreamStatus == 503)
        #expect(client.requests.count == 1)
    }

    @Test func aPostMarkedIdempotentIsRetried() async throws {
        let decoded = try decodeTool(
            """
                annotations: { idempotent: true }
                retries: 1
            """, method: "POST")
        let client = ScriptedUpstream([response(503), response(200)])
        #expect(await invoker(client).call(decoded).kind == .ok)
        #expect(client.requests.count == 2)
    }

    @Test func retryAfterIsHonouredWithinTheCap() async throws {
        let decoded = try decodeTool("    retries: { max: 2, backoff: 10ms, max_backoff: 3s }")
        let waits = Waits()
        let honoured = ScriptedUpstream([response(429, retryAfter: .seconds(2)), response(200)])
        #expect(await invoker(honoured, waits: waits).call(decoded).kind == .ok)
        #expect(waits.all == [.seconds(2)])
        let tooLong = ScriptedUpstream([response(429, retryAfter: .seconds(60)), response(200)])
        let outcome = await invoker(tooLong).call(decoded)
        #expect(outcome.upstreamStatus == 429)
        #expect(tooLong.requests.count == 1, "a Retry-After past max_backoff is not waited for")
    }

    @Test func retriesStayWithinTheTimeout() async throws {
        let decoded = try decodeTool(
            """
                timeout: 30s
                retries: { max: 5, backoff: 60s, max_backoff: 60s }
            """)
        // Generous: under a loaded machine the first answer still comes in time.
        let client = ScriptedUpstream([response(503), response(200)])
        let outcome = await invoker(client).call(decoded)
        #expect(outcome.upstreamStatus == 503)
        #expect(client.requests.count == 1, "a wait that would overrun the call's timeout is not started")
    }
}

@Suite("Limits on tool calls")
struct InvokerLimitTests {
    @Test func aCallerOverTheRateLimitGetsAToolErrorWithARetryHint() async throws {
        let decoded = try decodeTool("    limits: { rate_limit: 2/minute }")
        let client = ScriptedUpstream([response(200)])
        let tools = invoker(client)
        let alice = CallerIdentity(subject: "alice")
        for _ in 0..<2 { #expect(await tools.call(decoded, caller: alice).kind == .ok) }
        let limited = await tools.call(decoded, caller: alice)
        #expect(limited.kind == .rateLimited)
        #expect(limited.result.isError)
        let text = try #require(limited.result.firstText)
        #expect(text.contains("at most 2 calls per minute per user"))
        // The hint counts down from the first call, so a slow machine may show a second or two less.
        let hint = try #require(text.firstMatch(of: /Retry after (\d+) s\./))
        #expect((20...30).contains(Int(hint.1) ?? 0), "the wait is about half the window: \(text)")
        #expect(client.requests.count == 2, "a limited call never reaches the upstream")
        #expect(await tools.call(decoded, caller: CallerIdentity(subject: "bob")).kind == .ok)
    }

    @Test func theConnectorLimitIsSharedByItsTools() async throws {
        let decoded = try decodeTool("", connectorLines: "limits: { rate_limit: { requests: 1, per: 1h } }")
        let tools = invoker(ScriptedUpstream([response(200)]))
        #expect(await tools.call(decoded).kind == .ok)
        let limited = await tools.call(decoded)
        #expect(limited.kind == .rateLimited)
        #expect(limited.result.firstText?.contains("connector test") == true)
    }

    @Test func concurrentCallsAboveTheLimitWaitTheirTurn() async throws {
        let decoded = try decodeTool("    limits: { max_concurrent: 2 }")
        let client = ScriptedUpstream(.respond(.json("{}")), delay: .milliseconds(5))
        let tools = ToolInvoker(client: client)
        await withTaskGroup(of: ToolInvoker.Kind.self) { group in
            for _ in 0..<12 {
                group.addTask { await tools.call(decoded).kind }
            }
            for await kind in group { #expect(kind == .ok) }
        }
        #expect(client.peakConcurrency == 2)
    }

    @Test func aCallThatCannotGetASlotInTimeIsRefused() async throws {
        let decoded = try decodeTool(
            """
                timeout: 100ms
                limits: { max_concurrent: 1 }
            """)
        // The first call holds its slot until it is cancelled, so the test
        // does not depend on how fast a loaded machine schedules it.
        let client = ScriptedUpstream([response(200)], delay: .seconds(30))
        let tools = ToolInvoker(client: client)
        // The holder has all the time it wants; only the second call is short.
        var holder = decoded.tool
        holder.timeout = .seconds(60)
        let first = Task { await tools.invoke(holder, target: decoded.target, arguments: [:], caller: .anonymous) }
        try await client.waitForRequests(within: .seconds(45))
        #expect(client.requests.count == 1, "the first call holds the only slot")
        let second = await tools.call(decoded)
        #expect(second.kind == .overloaded)
        #expect(second.result.firstText?.contains("at most 1 at once") == true)
        first.cancel()
        _ = await first.value
    }

    @Test func limitsSurviveAReloadWithTheSameSettings() async throws {
        let registry = LimitRegistry()
        let limits = CallLimits(rateLimit: RateLimit(requests: 1, period: .seconds(60)))
        let before = registry.tool("t", of: "c", limits: limits)
        #expect(before.rate?.take(for: "alice") == .allowed)
        let after = registry.tool("t", of: "c", limits: limits)
        #expect(after.rate?.take(for: "alice") != .allowed, "the same settings keep the same bucket")
        let changed = registry.tool("t", of: "c", limits: CallLimits(rateLimit: RateLimit(requests: 5, period: .seconds(60))))
        #expect(changed.rate?.take(for: "alice") == .allowed, "new settings start a new bucket")
    }

    @Test func requestIDAndTraceparentReachTheUpstream() async throws {
        let decoded = try decodeTool()
        let client = ScriptedUpstream([response(200)])
        let trace = RequestTrace(
            requestIDHeader: "req-123", traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        await RequestTrace.$current.withValue(trace) {
            _ = await invoker(client).call(decoded)
        }
        let request = try #require(client.requests.first)
        #expect(request.header("X-Request-Id") == "req-123")
        let traceparent = try #require(request.header("traceparent"))
        #expect(traceparent.hasPrefix("00-4bf92f3577b34da6a3ce929d0e0e4736-"))
        #expect(traceparent.hasSuffix("-01"))
        #expect(!traceparent.contains("00f067aa0ba902b7"), "the upstream call is a new span in the caller's trace")
    }

    @Test func unusableRequestIDsAreReplaced() {
        let trace = RequestTrace(requestIDHeader: "bad id\r\nX-Evil: 1", traceparent: "garbage")
        #expect(trace.requestID == trace.context.traceID.description)
        #expect(trace.requestID.count == 32)
        #expect(RequestTrace(requestIDHeader: String(repeating: "a", count: 129), traceparent: nil).requestID.count == 32)
    }
}

