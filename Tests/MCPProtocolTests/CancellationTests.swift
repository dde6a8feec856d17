import GatehouseJSON
import Testing

@testable import MCPProtocol

/// A tool provider whose one tool waits until its call is cancelled.
struct WaitingTools: ToolProvider {
    let started = CancellationSignal()
    let stopped = CancellationSignal()

    func listing(for context: CallContext) -> ToolListing { ToolListing(descriptors: []) }

    func callTool(named name: String, arguments: JSONObject, context: CallContext) async -> ToolCallOutcome {
        started.fire()
        guard let cancellation = context.cancellation else {
            return .result(["content": [["type": "text", "text": "no cancellation signal"]]])
        }
        await cancellation.wait()
        stopped.fire()
        return .result(["content": [["type": "text", "text": "stopped"]], "isError": true])
    }
}

@Suite("Cancellation")
struct CancellationTests {
    @Test func aSignalWakesEveryWaiterAndLaterOnesAtOnce() async {
        let signal = CancellationSignal()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<10 { group.addTask { await signal.wait() } }
            try? await Task.sleep(for: .milliseconds(20))
            signal.fire()
            signal.fire()
        }
        #expect(signal.isFired)
        await signal.wait()
    }

    @Test func aCancelledWaiterLeavesAtOnce() async {
        let signal = CancellationSignal()
        let waiter = Task { await signal.wait() }
        waiter.cancel()
        await waiter.value
        #expect(!signal.isFired)
    }

    @Test func aLegacyCancellationReachesTheRunningCall() async throws {
        let tools = WaitingTools()
        let server = MCPServer(
            configuration: MCPServerConfiguration(serverName: "t", serverVersion: "1", sessionSigner: SessionSigner(secret: testSecret)),
            tools: tools)
        let session = try await openSession(server)
        let call = Task {
            await post(
                server, legacyHeaders(session: session),
                legacyBody(id: "req-9", method: "tools/call", params: ["name": "wait", "arguments": [:]]))
        }
        await tools.started.wait()
        #expect(server.inFlight.count == 1)
        let other = try await openSession(server)
        // Another session naming the same request id cancels nothing.
        let foreign = await post(
            server, legacyHeaders(session: other), legacyBody(id: nil, method: "notifications/cancelled", params: ["requestId": "req-9"]))
        #expect(foreign.status == 202)
        #expect(!tools.stopped.isFired)
        let cancel = await post(
            server, legacyHeaders(session: session), legacyBody(id: nil, method: "notifications/cancelled", params: ["requestId": "req-9"]))
        #expect(cancel.status == 202)
        let reply = await call.value
        #expect(tools.stopped.isFired)
        #expect(reply.text.contains("stopped"))
        #expect(server.inFlight.count == 0, "a finished call is no longer tracked")
    }

    @Test func cancellingAnUnknownRequestIsHarmless() async throws {
        let server = makeServer()
        let session = try await openSession(server)
        let reply = await post(
            server, legacyHeaders(session: session), legacyBody(id: nil, method: "notifications/cancelled", params: ["requestId": 42]))
        #expect(reply.status == 202)
    }
}
