import ConnectorModel
import GatehouseJSON
import Synchronization
import GatehouseTesting
import Testing

@testable import Upstream

/// An abandonment the test fires by hand.
final class ManualAbandonment: CallAbandonment {
    private let state = Mutex((fired: false, actions: [Int: @Sendable () -> Void](), next: 0))

    var watching: Int { state.withLock { $0.actions.count } }

    func fire() {
        let actions = state.withLock { state -> [@Sendable () -> Void] in
            state.fired = true
            defer { state.actions = [:] }
            return Array(state.actions.values)
        }
        for action in actions { action() }
    }

    func whenAbandoned(_ action: @escaping @Sendable () -> Void) -> AbandonmentWatch {
        let id = state.withLock { state -> Int? in
            guard !state.fired else { return nil }
            state.next += 1
            state.actions[state.next] = action
            return state.next
        }
        guard let id else {
            action()
            return AbandonmentWatch {}
        }
        return AbandonmentWatch { [self] in _ = state.withLock { $0.actions.removeValue(forKey: id) } }
    }
}

@Suite("The timeout bounds the whole call", .timeLimit(.minutes(1)))
struct CallDeadlineTests {
    @Test func aStalledAnswerEndsAtTheTimeoutAndTheUpstreamCallIsCancelled() async throws {
        let decoded = try decodeTool("    timeout: 200ms")
        let client = ScriptedUpstream(.stall)
        let started = ContinuousClock.now
        let outcome = await ToolInvoker(client: client).call(decoded)
        let elapsed = ContinuousClock.now - started
        #expect(outcome.kind == .timeout)
        #expect(outcome.result.isError)
        #expect(outcome.result.firstText?.contains("did not answer") == true)
        // The stall never ends by itself: any bound well under the suite's
        // time limit shows the deadline ended it, and leaves a loaded
        // machine room to schedule the call.
        #expect(elapsed >= .milliseconds(200) && elapsed < .seconds(20))
        #expect(client.cancelled == 1, "the stalled upstream call was cancelled, not left running")
    }

    @Test func aTimedOutCallGivesItsConcurrencySlotBack() async throws {
        let decoded = try decodeTool(
            """
                timeout: 150ms
                limits: { max_concurrent: 1 }
            """)
        let client = ScriptedUpstream(.stall)
        let tools = ToolInvoker(client: client)
        for _ in 0..<3 {
            let outcome = await tools.call(decoded)
            // Each call reaches the upstream (and times out there) rather than
            // waiting for a slot a stalled call still holds.
            #expect(outcome.kind == .timeout)
        }
        #expect(client.started == 3)
        #expect(client.cancelled == 3)
    }

    @Test func retriesStayInsideTheTimeout() async throws {
        let decoded = try decodeTool(
            """
                timeout: 300ms
                retries: { max: 10, backoff: 100ms }
            """)
        let client = ScriptedUpstream([.fail(.connectionFailed("refused"))], delay: .milliseconds(50))
        let started = ContinuousClock.now
        let outcome = await ToolInvoker(client: client).call(decoded)
        // Ten retries would wait at least 13 s (exponential, capped at 5 s);
        // inside the timeout the call ends after about 300 ms.
        #expect(ContinuousClock.now - started < .seconds(8))
        #expect(outcome.kind == .unreachable || outcome.kind == .timeout)
    }

    /// A call to an upstream that never answers, abandoned once it is
    /// inside: `start` begins the call, given the invoker, the tool and the
    /// abandonment to watch.
    func abandonStalledCall(
        _ start: @escaping @Sendable (ToolInvoker, DecodedTool, ManualAbandonment) async -> ToolInvoker.Outcome
    ) async throws -> (outcome: ToolInvoker.Outcome, afterFiring: Duration, client: ScriptedUpstream) {
        let decoded = try decodeTool("    timeout: 60s")
        let client = ScriptedUpstream(.stall)
        let abandonment = ManualAbandonment()
        let tools = ToolInvoker(client: client)
        let call = Task { await start(tools, decoded, abandonment) }
        try await client.waitForRequests()
        let fired = ContinuousClock.now
        abandonment.fire()
        let outcome = await call.value
        return (outcome, ContinuousClock.now - fired, client)
    }

    @Test func anAbandonedCallStopsAtOnce() async throws {
        let (outcome, afterFiring, client) = try await abandonStalledCall { tools, decoded, abandonment in
            await tools.call(decoded, abandonments: [abandonment])
        }
        #expect(afterFiring < .seconds(2))
        #expect(outcome.kind == .cancelled)
        #expect(client.cancelled == 1)
    }

    @Test func theClientConnectionIsReadFromTheTask() async throws {
        let (outcome, _, _) = try await abandonStalledCall { tools, decoded, abandonment in
            await ClientConnection.$abandonment.withValue(abandonment) { await tools.call(decoded) }
        }
        #expect(outcome.kind == .cancelled)
    }

    @Test func aFastCallIsNotDisturbed() async throws {
        let decoded = try decodeTool("    timeout: 5s")
        let client = ScriptedUpstream([.respond(UpstreamResponse(status: 200, contentType: "application/json", body: Array("{}".utf8)))])
        let abandonment = ManualAbandonment()
        let outcome = await ToolInvoker(client: client).call(decoded, abandonments: [abandonment])
        #expect(outcome.kind == .ok)
        #expect(abandonment.watching == 0, "nothing is left watching once the call is over")
    }

    @Test func theCallersOwnCancellationStopsTheCall() async throws {
        let decoded = try decodeTool("    timeout: 60s")
        let client = ScriptedUpstream(.stall)
        let tools = ToolInvoker(client: client)
        let call = Task { await tools.call(decoded) }
        try await client.waitForRequests()
        call.cancel()
        #expect(await call.value.kind == .cancelled)
        #expect(client.cancelled == 1)
    }
}
