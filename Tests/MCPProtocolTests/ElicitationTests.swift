import Caller
import Foundation
import GatehouseJSON
import HTTPTypes
import Synchronization
import Testing

@testable import MCPProtocol

/// A tool that needs the user to open a page until `linked` is set, and
/// counts the calls that reached it.
final class LinkingTools: ToolProvider {
    let linked = Atomic(false)
    let calls = Atomic(0)
    static let action = UserActionRequest(
        elicitationID: "e-123", url: "https://gw.example/link/s3cr3t", message: "Link your CRM account.",
        fallbackText: "Link your CRM account.\nOpen this link in your browser: https://gw.example/link/s3cr3t\nThen call the tool again.")

    func listing(for context: CallContext) -> ToolListing { ToolListing(descriptors: []) }

    func callTool(named name: String, arguments: JSONObject, context: CallContext) async -> ToolCallOutcome {
        calls.add(1, ordering: .relaxed)
        guard linked.load(ordering: .relaxed) else { return .userActionRequired(Self.action) }
        return .result(["content": [["type": "text", "text": .string("done as \(context.caller?.subject ?? "nobody")")]]])
    }
}

@Suite struct ElicitationTests {
    let tools = LinkingTools()
    var server: MCPServer {
        MCPServer(
            configuration: MCPServerConfiguration(
                serverName: "gatehouse-test", serverVersion: "9.9.9", pageSize: 100, listTTLMilliseconds: 1000,
                originPolicy: OriginPolicy(), sessionSigner: SessionSigner(secret: testSecret), listChangedNotifications: true),
            tools: tools)
    }
    let alice = CallerIdentity(subject: "alice")
    static let urlCapable: JSONValue = ["elicitation": ["url": [:]]]

    func modernCall(
        arguments: JSONObject = ["q": "x"], capabilities: JSONValue = urlCapable, extra: JSONObject = [:], caller: CallerIdentity? = nil
    ) async -> Reply {
        var params: JSONObject = ["name": "crm_search", "arguments": .object(arguments)]
        for (key, value) in extra { params[key] = value }
        return await post(
            server, modernHeaders(method: "tools/call", name: "crm_search"),
            modernBody(method: "tools/call", params: params, capabilities: capabilities), caller: caller ?? alice)
    }

    // MARK: 2026-07-28

    /// The shape validated against the MCP Python SDK's `InputRequiredResult`
    /// (mcp-types 2.3.0): resultType, inputRequests with an
    /// `elicitation/create` request in URL mode, and requestState.
    @Test func aURLCapableClientGetsAnInputRequiredResult() async throws {
        let result = try await modernCall().result()
        #expect(result["resultType"] == "input_required")
        let request = try #require(result["inputRequests"]?[MCPServer.inputRequestKey])
        #expect(request["method"] == "elicitation/create")
        #expect(request["params"] == ["mode": "url", "message": "Link your CRM account.", "url": "https://gw.example/link/s3cr3t"])
        #expect(result["requestState"]?.stringValue?.isEmpty == false)
        #expect(result["ttlMs"] == nil)
    }

    @Test func aClientWithoutURLElicitationGetsTheLinkAsAToolError() async throws {
        for capabilities: JSONValue in [[:], ["elicitation": [:]], ["elicitation": ["form": [:]]]] {
            let result = try await modernCall(capabilities: capabilities).result()
            #expect(result["resultType"] == "complete")
            #expect(result["isError"] == true)
            #expect(result["content"]?.arrayValue?.first?["text"] == .string(LinkingTools.action.fallbackText))
        }
    }

    @Test func theRetryWithItsStateRunsTheToolAgain() async throws {
        let state = try #require(try await modernCall().result()["requestState"])
        tools.linked.store(true, ordering: .relaxed)
        let retried = try await modernCall(extra: ["requestState": state, "inputResponses": [MCPServer.inputRequestKey: ["action": "accept"]]])
            .result()
        #expect(retried["content"]?.arrayValue?.first?["text"] == "done as alice")
        #expect(tools.calls.load(ordering: .relaxed) == 2)
    }

    @Test func aRetryBeforeTheUserFinishedAsksAgain() async throws {
        let state = try #require(try await modernCall().result()["requestState"])
        let again = try await modernCall(extra: ["requestState": state]).result()
        #expect(again["resultType"] == "input_required")
    }

    @Test func aStateForAnotherUserCallOrToolIsRefusedBeforeTheTool() async throws {
        let state = try #require(try await modernCall().result()["requestState"]?.stringValue)
        let calls = tools.calls.load(ordering: .relaxed)
        let otherUser = await modernCall(extra: ["requestState": .string(state)], caller: CallerIdentity(subject: "mallory"))
        #expect(try otherUser.errorCode() == -32602)
        #expect(otherUser.text.contains("another user"))
        let otherArguments = await modernCall(arguments: ["q": "y"], extra: ["requestState": .string(state)])
        #expect(try otherArguments.errorCode() == -32602)
        let tampered = await modernCall(extra: ["requestState": .string("x" + state.dropFirst())])
        #expect(try tampered.errorCode() == -32602)
        let notAString = await modernCall(extra: ["requestState": 7])
        #expect(try notAString.errorCode() == -32602)
        #expect(tools.calls.load(ordering: .relaxed) == calls)
    }

    @Test func theArgumentsDigestIgnoresKeyOrder() async throws {
        let state = try #require(try await modernCall(arguments: ["a": 1, "b": ["y": 2, "x": 1]]).result()["requestState"])
        let reordered = try await modernCall(arguments: ["b": ["x": 1, "y": 2], "a": 1], extra: ["requestState": state]).result()
        #expect(reordered["resultType"] == "input_required")
    }

    @Test func anExpiredStateIsRefused() throws {
        let signer = SessionSigner(secret: testSecret)
        let old = RequestState(subject: "alice", tool: "t", arguments: [:], elicitationID: "e", now: 1_000).sealed(with: signer)
        #expect(throws: RequestState.Refusal.expired) {
            try RequestState.open(old, signer: signer, subject: "alice", tool: "t", arguments: [:], now: 1_000 + RequestState.lifetime)
        }
        #expect(throws: RequestState.Refusal.malformed) {
            try RequestState.open(old, signer: SessionSigner(secret: Array("another-secret".utf8)), subject: "alice", tool: "t", arguments: [:], now: 1_001)
        }
    }

    @Test func aDeclinedElicitationIsNotAskedAgain() async throws {
        let state = try #require(try await modernCall().result()["requestState"])
        let calls = tools.calls.load(ordering: .relaxed)
        for action in ["decline", "cancel"] {
            let result = try await modernCall(
                extra: ["requestState": state, "inputResponses": [MCPServer.inputRequestKey: ["action": .string(action)]]]
            ).result()
            #expect(result["isError"] == true)
            #expect(result["content"]?.arrayValue?.first?["text"]?.stringValue?.contains("did not run") == true)
        }
        #expect(tools.calls.load(ordering: .relaxed) == calls)
    }

    // MARK: 2025-11-25

    func openSession(capabilities: JSONValue, version: String = "2025-11-25") async throws -> String {
        let body = legacyBody(
            id: 0, method: "initialize",
            params: ["protocolVersion": .string(version), "capabilities": capabilities, "clientInfo": ["name": "c", "version": "1"]])
        return try #require(await post(server, legacyHeaders(), body).sessionID)
    }

    func legacyCall(_ session: String) async -> Reply {
        await post(
            server, legacyHeaders(session: session, version: "2025-11-25"),
            legacyBody(method: "tools/call", params: ["name": "crm_search", "arguments": ["q": "x"]]), caller: alice)
    }

    /// The shape of the 2025-11-25 `URLElicitationRequiredError`.
    @Test func aSessionThatDeclaredURLElicitationGetsTheMinus32042Error() async throws {
        let session = try await openSession(capabilities: Self.urlCapable)
        let error = try #require(try await legacyCall(session).json()["error"])
        #expect(error["code"] == -32042)
        #expect(
            error["data"]?["elicitations"]
                == [["mode": "url", "elicitationId": "e-123", "url": "https://gw.example/link/s3cr3t", "message": "Link your CRM account."]])
    }

    @Test func otherSessionsGetTheToolError() async throws {
        for (capabilities, version): (JSONValue, String) in [
            ([:], "2025-11-25"), (["elicitation": [:]], "2025-11-25"), (Self.urlCapable, "2025-06-18"),
        ] {
            let session = try await openSession(capabilities: capabilities, version: version)
            let result = try await legacyCall(session).result()
            #expect(result["isError"] == true, "\(capabilities) \(version)")
            #expect(result["content"]?.arrayValue?.first?["text"] == .string(LinkingTools.action.fallbackText))
        }
    }

    @Test func theFlagSurvivesInTheSessionTokenAndOldTokensStayValid() throws {
        let signer = SessionSigner(secret: testSecret)
        #expect(signer.verify(signer.mint(protocolVersion: "2025-11-25", urlElicitation: true))?.urlElicitation == true)
        let plain = try #require(signer.verify(signer.mint(protocolVersion: "2025-11-25")))
        #expect(plain.urlElicitation == false)
        #expect(plain.protocolVersion == "2025-11-25")
    }
}
