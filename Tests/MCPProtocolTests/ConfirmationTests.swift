import Caller
import Foundation
import GatehouseJSON
import HTTPTypes
import Synchronization
import Testing

@testable import MCPProtocol

/// A tool that asks before it runs, and records each answer it was given.
final class ConfirmingTools: ToolProvider {
    let answers = Mutex<[ConfirmationAnswer?]>([])
    let ran = Atomic(0)

    func listing(for context: CallContext) -> ToolListing { ToolListing(descriptors: []) }

    func callTool(named name: String, arguments: JSONObject, context: CallContext) async -> ToolCallOutcome {
        answers.withLock { $0.append(context.confirmation) }
        switch context.confirmation {
        case nil:
            return .confirmationRequired(message: "Delete ticket \(arguments["id"]?.jsonString ?? "?")?")
        case .accepted?:
            ran.add(1, ordering: .relaxed)
            return .result(["content": [["type": "text", "text": "deleted"]]])
        case .declined?, .cancelled?:
            return .result(["content": [["type": "text", "text": "not deleted"]], "isError": true])
        }
    }
}

@Suite struct ConfirmationTests {
    let tools = ConfirmingTools()
    let server: MCPServer
    let alice = CallerIdentity(subject: "alice")
    static let formCapable: JSONValue = ["elicitation": [:]]

    init() {
        var configuration = MCPServerConfiguration(
            serverName: "gatehouse-test", serverVersion: "9.9.9", sessionSigner: SessionSigner(secret: testSecret),
            listChangedNotifications: true)
        configuration.confirmationTimeout = .seconds(2)
        server = MCPServer(configuration: configuration, tools: tools)
    }

    func modernCall(
        arguments: JSONObject = ["id": 42], capabilities: JSONValue = formCapable, extra: JSONObject = [:], caller: CallerIdentity? = nil
    ) async -> Reply {
        var params: JSONObject = ["name": "delete_ticket", "arguments": .object(arguments)]
        for (key, value) in extra { params[key] = value }
        return await post(
            server, modernHeaders(method: "tools/call", name: "delete_ticket"),
            modernBody(method: "tools/call", params: params, capabilities: capabilities), caller: caller ?? alice)
    }

    func answered(_ action: String, state: JSONValue, arguments: JSONObject = ["id": 42], caller: CallerIdentity? = nil) async -> Reply {
        await modernCall(
            arguments: arguments, extra: ["requestState": state, "inputResponses": ["confirm": ["action": .string(action)]]], caller: caller)
    }

    // MARK: 2026-07-28

    @Test func theFirstCallAsksWithAFormAndASignedState() async throws {
        let result = try await modernCall().result()
        #expect(result["resultType"] == "input_required")
        let request = try #require(result["inputRequests"]?["confirm"])
        #expect(request["method"] == "elicitation/create")
        #expect(request["params"] == ["mode": "form", "message": "Delete ticket 42?", "requestedSchema": ["type": "object", "properties": [:]]])
        #expect(result["requestState"]?.stringValue?.isEmpty == false)
    }

    @Test(arguments: [("accept", ConfirmationAnswer.accepted), ("decline", .declined), ("cancel", .cancelled)])
    func theAnswerReachesTheTool(_ answer: (String, ConfirmationAnswer)) async throws {
        let state = try #require(try await modernCall().result()["requestState"])
        let reply = try await answered(answer.0, state: state).result()
        #expect(tools.answers.withLock { $0 } == [nil, answer.1])
        #expect(tools.ran.load(ordering: .relaxed) == (answer.1 == .accepted ? 1 : 0))
        #expect(reply["resultType"] == "complete")
    }

    @Test func aStateIsUsedOnce() async throws {
        let state = try #require(try await modernCall().result()["requestState"])
        _ = try await answered("accept", state: state).result()
        let replay = try await answered("accept", state: state).json()
        #expect(replay["error"]?["code"] == -32602)
        #expect(replay["error"]?["message"]?.stringValue?.contains("already used") == true)
        #expect(tools.ran.load(ordering: .relaxed) == 1)
    }

    @Test func aStateIsBoundToItsUserItsArgumentsAndItsSignature() async throws {
        let state = try #require(try await modernCall().result()["requestState"]?.stringValue)
        let other = try await answered("accept", state: .string(state), caller: CallerIdentity(subject: "mallory")).json()
        #expect(other["error"]?["message"]?.stringValue?.contains("another user") == true)
        let otherArguments = try await answered("accept", state: .string(state), arguments: ["id": 43]).json()
        #expect(otherArguments["error"]?["message"]?.stringValue?.contains("another tool call") == true)
        var tampered = Array(state)
        tampered[tampered.count - 3] = tampered[tampered.count - 3] == "A" ? "B" : "A"
        let forged = try await answered("accept", state: .string(String(tampered))).json()
        #expect(forged["error"]?["message"]?.stringValue?.contains("not issued by this server") == true)
        #expect(tools.ran.load(ordering: .relaxed) == 0)
    }

    @Test func anAnswerIsRequiredWithTheState() async throws {
        let state = try #require(try await modernCall().result()["requestState"])
        let reply = try await modernCall(extra: ["requestState": state]).json()
        #expect(reply["error"]?["code"] == -32602)
        #expect(tools.ran.load(ordering: .relaxed) == 0)
    }

    @Test func aClientThatCannotAskGetsAToolError() async throws {
        let result = try await modernCall(capabilities: [:]).result()
        #expect(result["isError"] == true)
        #expect(result["content"]?.arrayValue?.first?["text"]?.stringValue?.contains("cannot ask") == true)
    }

    // MARK: Legacy sessions

    func openSession(capabilities: JSONValue) async throws -> String {
        let body = legacyBody(
            id: 0, method: "initialize",
            params: ["protocolVersion": "2025-11-25", "capabilities": capabilities, "clientInfo": ["name": "c", "version": "1"]])
        return try #require(await post(server, legacyHeaders(), body).sessionID)
    }

    func legacyCall(_ session: String) async -> MCPHTTPResponse {
        await server.handlePost(
            headers: legacyHeaders(session: session, version: "2025-11-25"),
            body: legacyBody(id: 7, method: "tools/call", params: ["name": "delete_ticket", "arguments": ["id": 42]]), caller: alice)
    }

    /// The question as the first SSE event, and the event stream's rest.
    func question(_ response: MCPHTTPResponse) throws -> JSONValue {
        #expect(response.headerFields[.contentType] == "text/event-stream")
        let prefix = Array("event: message\ndata: ".utf8)
        #expect(response.body.starts(with: prefix))
        return try JSONParser.parse(Array(response.body.dropFirst(prefix.count).dropLast(2)))
    }

    func finalMessage(_ response: MCPHTTPResponse) async throws -> JSONValue {
        var chunks: [UInt8] = []
        for await chunk in try #require(response.stream) { chunks += chunk }
        let prefix = Array("event: message\ndata: ".utf8)
        return try JSONParser.parse(Array(chunks.dropFirst(prefix.count).dropLast(2)))
    }

    @Test(arguments: [("accept", true), ("decline", false)])
    func theQuestionGoesOutOnTheCallsStream(_ answer: (String, Bool)) async throws {
        let session = try await openSession(capabilities: Self.formCapable)
        let response = await legacyCall(session)
        let question = try question(response)
        #expect(question["method"] == "elicitation/create")
        #expect(question["params"]?["message"] == "Delete ticket 42?")
        let id = try #require(question["id"])
        let finished = Task { try await finalMessage(response) }
        // The client posts its answer as a JSON-RPC response on the session.
        var delivered = false
        for _ in 0..<100 where !delivered {
            let ack = await server.handlePost(
                headers: legacyHeaders(session: session, version: "2025-11-25"),
                body: JSONValue.object(["jsonrpc": "2.0", "id": id, "result": ["action": .string(answer.0)]]).jsonBytes)
            #expect(ack.status == .accepted)
            delivered = server.questions.count == 0 && tools.answers.withLock { $0.count } == 2
            if !delivered { try await Task.sleep(for: .milliseconds(10)) }
        }
        let message = try await finished.value
        #expect(message["id"] == 7)
        #expect(message["result"]?["content"]?.arrayValue?.first?["text"] == (answer.1 ? "deleted" : "not deleted"))
        #expect(tools.ran.load(ordering: .relaxed) == (answer.1 ? 1 : 0))
    }

    @Test func noAnswerInTimeIsACancellation() async throws {
        let session = try await openSession(capabilities: Self.formCapable)
        let response = await legacyCall(session)
        _ = try question(response)
        let message = try await finalMessage(response)
        #expect(message["result"]?["isError"] == true)
        #expect(tools.answers.withLock { $0 } == [nil, .cancelled])
    }

    @Test func aSessionWithoutElicitationIsNotAsked() async throws {
        let session = try await openSession(capabilities: [:])
        let reply = Reply(response: await legacyCall(session))
        #expect(try reply.result()["isError"] == true)
        #expect(server.questions.count == 0)
    }

    @Test func theFormFlagLivesInTheSessionToken() throws {
        let signer = SessionSigner(secret: testSecret)
        let session = try #require(signer.verify(signer.mint(protocolVersion: "2025-11-25", urlElicitation: true, formElicitation: true)))
        #expect(session.formElicitation && session.urlElicitation)
        #expect(MCPServer.declaresFormElicitation(["elicitation": [:]]))
        #expect(MCPServer.declaresFormElicitation(["elicitation": ["form": [:]]]))
        #expect(!MCPServer.declaresFormElicitation(["elicitation": ["url": [:]]]))
        #expect(!MCPServer.declaresFormElicitation([:]))
    }

    @Test func derivedSignersDoNotAcceptEachOthersSessions() throws {
        let signer = SessionSigner(secret: testSecret)
        let research = signer.derived("endpoint:research")
        let token = research.mint(protocolVersion: "2025-11-25")
        #expect(research.verify(token) != nil)
        #expect(signer.verify(token) == nil)
        #expect(signer.derived("endpoint:support").verify(token) == nil)
    }
}
