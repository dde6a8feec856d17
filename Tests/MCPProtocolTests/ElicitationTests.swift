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
        tool: String = "crm_search", arguments: JSONObject = ["q": "x"], capabilities: JSONValue = urlCapable, extra: JSONObject = [:],
        caller: CallerIdentity? = nil, anonymous: Bool = false
    ) async -> Reply {
        var params: JSONObject = ["name": .string(tool), "arguments": .object(arguments)]
        for (key, value) in extra { params[key] = value }
        return await post(
            server, modernHeaders(method: "tools/call", name: tool),
            modernBody(method: "tools/call", params: params, capabilities: capabilities), caller: anonymous ? nil : (caller ?? alice))
    }

    /// A state sealed with the server's key, for cases a live call cannot
    /// produce (expired, another tool).
    func forgedState(subject: String? = "alice", tool: String = "crm_search", arguments: JSONObject = ["q": "x"], now: Int64) -> JSONValue {
        .string(
            RequestState(subject: subject, tool: tool, arguments: arguments, elicitationID: "e-123", now: now)
                .sealed(with: SessionSigner(secret: testSecret)))
    }

    var now: Int64 { Int64(Date().timeIntervalSince1970) }

    // MARK: 2026-07-28

    /// The shape validated against the MCP Python SDK's `InputRequiredResult`
    /// (mcp-types 2.3.0): resultType, inputRequests with an
    /// `elicitation/create` request in URL mode, and requestState.
    @Test func aURLCapableClientGetsAnInputRequiredResult() async throws {
        let result = try await modernCall().result()
        #expect(result["resultType"] == "input_required")
        let request = try #require(result["inputRequests"]?[MCPServer.inputRequestKey])
        #expect(request["method"] == "elicitation/create")
        #expect(
            request["params"]
                == ["mode": "url", "message": "Link your CRM account.", "url": "https://gw.example/link/s3cr3t", "elicitationId": "e-123"])
        #expect(result["requestState"]?.stringValue?.isEmpty == false)
        #expect(result["ttlMs"] == nil)
    }

    /// The whole message, as validated with the MCP Python SDK (mcp 2.3.0):
    /// `mcp_types._v2026_07_28.JSONRPCResultResponse` and
    /// `InputRequiredResult.model_validate` accept
    ///
    ///     {"jsonrpc": "2.0", "id": 1, "result": {
    ///       "resultType": "input_required",
    ///       "inputRequests": {"user_action": {"method": "elicitation/create",
    ///         "params": {"mode": "url", "message": "…", "url": "https://…", "elicitationId": "e-123"}}},
    ///       "requestState": "<signed>",
    ///       "_meta": {"io.modelcontextprotocol/serverInfo": {"name": "…", "version": "…"}}}}
    ///
    /// and each `inputRequests` value passes `ElicitRequest.model_validate`
    /// with `ElicitRequestURLParams`. No `ttlMs`/`cacheScope`: the schema
    /// gives an unfinished call no cache hints.
    @Test func theInputRequiredResultHasExactlyTheSchemaFields() async throws {
        let message = try await modernCall().json()
        #expect(message["jsonrpc"] == "2.0")
        #expect(message["id"] == 1)
        let result = try #require(message["result"]?.objectValue)
        #expect(Set(result.keys) == ["resultType", "inputRequests", "requestState", "_meta"])
        #expect(result["_meta"] == ["io.modelcontextprotocol/serverInfo": ["name": "gatehouse-test", "version": "9.9.9", "title": "Gatehouse"]])
        #expect(result["inputRequests"]?.objectValue?.count == 1)
        #expect(!String(decoding: JSONValue.object(result).jsonBytes, as: UTF8.self).contains("cacheScope"))
    }

    @Test func onlyToolsCallEverAnswersInputRequired() async throws {
        let state = try #require(try await modernCall().result()["requestState"])
        let calls = tools.calls.load(ordering: .relaxed)
        for method in ["tools/list", "server/discover"] {
            let reply = await post(
                server, modernHeaders(method: method),
                modernBody(method: method, params: ["requestState": state], capabilities: Self.urlCapable), caller: alice)
            let result = try reply.result()
            #expect(result["resultType"] == "complete", "\(method)")
            #expect(result["inputRequests"] == nil, "\(method)")
        }
        #expect(tools.calls.load(ordering: .relaxed) == calls)
    }

    @Test func aClientWithoutURLElicitationGetsTheLinkAsAToolError() async throws {
        for capabilities: JSONValue in [[:], ["elicitation": [:]], ["elicitation": ["form": [:]]], ["elicitation": ["url": true]]] {
            let result = try await modernCall(capabilities: capabilities).result()
            #expect(
                result
                    == [
                        "content": [["type": "text", "text": .string(LinkingTools.action.fallbackText)]], "isError": true,
                        "resultType": "complete",
                        "_meta": ["io.modelcontextprotocol/serverInfo": ["name": "gatehouse-test", "version": "9.9.9", "title": "Gatehouse"]],
                    ], "\(capabilities)")
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

    @Test func aStateForAnotherToolIsRefusedBeforeTheTool() async throws {
        let state = try #require(try await modernCall().result()["requestState"])
        let calls = tools.calls.load(ordering: .relaxed)
        let reply = await modernCall(tool: "crm_delete", extra: ["requestState": state])
        #expect(try reply.errorCode() == -32602)
        #expect(reply.text.contains("another tool call"))
        let forged = await modernCall(extra: ["requestState": forgedState(tool: "crm_delete", now: now)])
        #expect(try forged.errorCode() == -32602)
        #expect(tools.calls.load(ordering: .relaxed) == calls)
    }

    @Test func anExpiredStateIsRefusedBeforeTheTool() async throws {
        let expired = await modernCall(extra: ["requestState": forgedState(now: now - RequestState.lifetime - 1)])
        #expect(try expired.errorCode() == -32602)
        #expect(expired.text.contains("expired"))
        let current = try await modernCall(extra: ["requestState": forgedState(now: now)]).result()
        #expect(current["resultType"] == "input_required")
        #expect(tools.calls.load(ordering: .relaxed) == 1)
    }

    @Test func anonymousAndSignedInStatesDoNotMix() async throws {
        let anonymous = try #require(try await modernCall(anonymous: true).result()["requestState"])
        #expect(try await modernCall(extra: ["requestState": anonymous]).errorCode() == -32602)
        #expect(try await modernCall(extra: ["requestState": anonymous], anonymous: true).result()["resultType"] == "input_required")
        let signedIn = try #require(try await modernCall().result()["requestState"])
        let reply = await modernCall(extra: ["requestState": signedIn], anonymous: true)
        #expect(try reply.errorCode() == -32602)
        #expect(reply.text.contains("another user"))
        // A subject that spells the anonymous mark is still another caller.
        let lookalike = await modernCall(extra: ["requestState": anonymous], caller: CallerIdentity(subject: "anonymous"))
        #expect(try lookalike.errorCode() == -32602)
    }

    @Test func refusalsNeverEchoTheState() async throws {
        let state = try #require(try await modernCall().result()["requestState"]?.stringValue)
        let tampered = (state.first == "A" ? "B" : "A") + String(state.dropFirst())
        for reply in [
            await modernCall(extra: ["requestState": .string(tampered)]),
            await modernCall(extra: ["requestState": .string(state)], caller: CallerIdentity(subject: "mallory")),
        ] {
            #expect(try reply.errorCode() == -32602)
            #expect(!reply.text.contains(state.prefix(20)))
        }
    }

    @Test func unknownInputResponsesAreIgnored() async throws {
        let state = try #require(try await modernCall().result()["requestState"])
        tools.linked.store(true, ordering: .relaxed)
        let result = try await modernCall(
            extra: [
                "requestState": state,
                "inputResponses": ["somebody_else": ["action": "decline"], MCPServer.inputRequestKey: ["action": "accept", "extra": 1]],
            ]
        ).result()
        #expect(result["content"]?.arrayValue?.first?["text"] == "done as alice")
    }

    @Test func inputResponsesThatAreNotAnObjectAreRefused() async throws {
        let state = try #require(try await modernCall().result()["requestState"])
        let calls = tools.calls.load(ordering: .relaxed)
        let reply = await modernCall(extra: ["requestState": state, "inputResponses": ["decline"]])
        #expect(try reply.errorCode() == -32602)
        #expect(reply.text.contains("inputResponses"))
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
            #expect(result["resultType"] == "complete")
            let text = try #require(result["content"]?.arrayValue?.first?["text"]?.stringValue)
            #expect(text.contains(action == "decline" ? "declined" : "dismissed"))
            #expect(text.contains("crm_search") && text.contains("did not run"))
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

    /// The shape of the 2025-11-25 `URLElicitationRequiredError`, as
    /// validated with the MCP Python SDK (mcp 2.3.0):
    /// `mcp_types._v2025_11_25.URLElicitationRequiredError.model_validate`
    /// accepts
    ///
    ///     {"jsonrpc": "2.0", "id": 1, "error": {"code": -32042, "message": "…",
    ///       "data": {"elicitations": [{"mode": "url", "elicitationId": "e-123",
    ///         "url": "https://…", "message": "…"}]}}}
    @Test func aSessionThatDeclaredURLElicitationGetsTheMinus32042Error() async throws {
        let session = try await openSession(capabilities: Self.urlCapable)
        let message = try await legacyCall(session).json()
        #expect(message["jsonrpc"] == "2.0")
        #expect(message["id"] == 1)
        #expect(message["result"] == nil)
        let error = try #require(message["error"])
        #expect(error["code"] == -32042)
        #expect(error["message"]?.stringValue?.isEmpty == false)
        #expect(
            error["data"]
                == ["elicitations": [["mode": "url", "elicitationId": "e-123", "url": "https://gw.example/link/s3cr3t", "message": "Link your CRM account."]]])
    }

    @Test func legacySessionsIgnoreRequestState() async throws {
        let session = try await openSession(capabilities: Self.urlCapable)
        let reply = await post(
            server, legacyHeaders(session: session, version: "2025-11-25"),
            legacyBody(method: "tools/call", params: ["name": "crm_search", "arguments": ["q": "x"], "requestState": "forged"]), caller: alice)
        #expect(try reply.errorCode() == -32042)
    }

    @Test func otherSessionsGetTheToolError() async throws {
        for (capabilities, version): (JSONValue, String) in [
            ([:], "2025-11-25"), (["elicitation": [:]], "2025-11-25"), (Self.urlCapable, "2025-06-18"),
        ] {
            let session = try await openSession(capabilities: capabilities, version: version)
            let result = try await legacyCall(session).result()
            #expect(
                result == ["content": [["type": "text", "text": .string(LinkingTools.action.fallbackText)]], "isError": true],
                "\(capabilities) \(version)")
        }
    }

    @Test func theFlagSurvivesInTheSessionTokenAndOldTokensStayValid() throws {
        let signer = SessionSigner(secret: testSecret)
        #expect(signer.verify(signer.mint(protocolVersion: "2025-11-25", urlElicitation: true))?.urlElicitation == true)
        let plain = try #require(signer.verify(signer.mint(protocolVersion: "2025-11-25")))
        #expect(plain.urlElicitation == false)
        #expect(plain.protocolVersion == "2025-11-25")
    }

    /// A session id minted before the flag existed: version 1, four fields.
    @Test func aTokenFromBeforeTheFlagIsASessionWithoutURLElicitation() throws {
        let signer = SessionSigner(secret: testSecret)
        let issued = Int64(Date().timeIntervalSince1970)
        let encoded = SessionSigner.base64URL(Data("1|00112233445566778899aabbccddeeff|2025-11-25|\(issued)".utf8))
        let session = try #require(signer.verify(encoded + "." + signer.signature(encoded)))
        #expect(session.id == "00112233445566778899aabbccddeeff")
        #expect(session.urlElicitation == false)
    }

    @Test func theFlagCannotBeAddedToASignedToken() throws {
        let signer = SessionSigner(secret: testSecret)
        let token = signer.mint(protocolVersion: "2025-11-25")
        let payload = try #require(SessionSigner.decodeBase64URL(String(token.split(separator: ".")[0])))
        let text = String(decoding: payload, as: UTF8.self)
        let raised = SessionSigner.base64URL(Data(("2" + String(text.dropFirst()) + "|u").utf8))
        #expect(signer.verify(raised + "." + token.split(separator: ".")[1]) == nil)
    }

    @Test func theFlagReachesLaterRequestsOfTheSessionOnAnyReplica() async throws {
        let session = try await openSession(capabilities: Self.urlCapable)
        #expect(SessionSigner(secret: testSecret).verify(session)?.urlElicitation == true)
        // Another server with the same secret: nothing is remembered between them.
        let replica = MCPServer(
            configuration: MCPServerConfiguration(
                serverName: "gatehouse-test", serverVersion: "9.9.9", sessionSigner: SessionSigner(secret: testSecret)),
            tools: tools)
        let reply = await post(
            replica, legacyHeaders(session: session, version: "2025-11-25"),
            legacyBody(method: "tools/call", params: ["name": "crm_search", "arguments": ["q": "x"]]), caller: alice)
        #expect(try reply.errorCode() == -32042)
    }
}
