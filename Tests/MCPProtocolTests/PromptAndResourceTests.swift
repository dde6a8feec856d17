import Caller
import GatehouseJSON
import Testing

@testable import MCPProtocol

/// One prompt, `triage`, needing `id`.
struct PromptTools: ToolProvider {
    static let descriptor: JSONValue = ["name": "triage", "arguments": [["name": "id", "required": true]]]

    func listing(for context: CallContext) -> ToolListing { ToolListing(descriptors: []) }
    func callTool(named name: String, arguments: JSONObject, context: CallContext) async -> ToolCallOutcome { .unknownTool }
    func promptListing(for context: CallContext) -> ToolListing { ToolListing(descriptors: [Self.descriptor.jsonBytes], generation: 3) }
    var features: ServedFeatures { ServedFeatures(prompts: true) }

    func prompt(named name: String, arguments: [String: String], context: CallContext) -> PromptOutcome {
        guard name == "triage" else { return .unknownPrompt }
        guard let id = arguments["id"] else { return .invalidArguments("missing required argument: id") }
        return .result(["messages": [["role": "user", "content": ["type": "text", "text": .string("Triage \(id).")]]]])
    }
}

@Suite struct PromptAndResourceTests {
    let server = MCPServer(
        configuration: MCPServerConfiguration(serverVersion: "9.9.9", listTTLMilliseconds: 4321, sessionSigner: SessionSigner(secret: testSecret)),
        tools: PromptTools())

    func modern(_ method: String, name: String? = nil, params: JSONObject = [:]) async throws -> JSONValue {
        try await post(server, modernHeaders(method: method, name: name), modernBody(method: method, params: params)).json()
    }

    @Test func promptsAreListedWithTheCacheHintsOfAnyList() async throws {
        let result = try #require(try await modern("prompts/list")["result"])
        #expect(result["prompts"] == [PromptTools.descriptor])
        #expect(result["ttlMs"] == 4321)
        #expect(result["resultType"] == "complete")
    }

    @Test func aPromptIsFilledIn() async throws {
        let result = try await modern("prompts/get", name: "triage", params: ["name": "triage", "arguments": ["id": "42"]])
        #expect(result["result"]?["messages"] == [["role": "user", "content": ["type": "text", "text": "Triage 42."]]])
        let missing = try await modern("prompts/get", name: "triage", params: ["name": "triage"])
        #expect(missing["error"]?["code"] == -32602)
        #expect(missing["error"]?["message"]?.stringValue?.contains("missing required argument: id") == true)
        let unknown = try await modern("prompts/get", name: "nope", params: ["name": "nope"])
        #expect(unknown["error"]?["message"] == "Unknown prompt: nope")
        let notText = try await modern("prompts/get", name: "triage", params: ["name": "triage", "arguments": ["id": 42]])
        #expect(notText["error"]?["code"] == -32602)
    }

    @Test func resourceListsAreEmptyAndAReadIsNotFoundInEachErasWay() async throws {
        for (method, key) in [("resources/list", "resources"), ("resources/templates/list", "resourceTemplates")] {
            let result = try #require(try await modern(method)["result"])
            #expect(result[key] == [])
            #expect(result["ttlMs"] == 4321)
        }
        let read = try await modern("resources/read", name: "tickets://1", params: ["uri": "tickets://1"])
        #expect(read["error"]?["code"] == -32602)
        #expect(read["error"]?["message"] == "Resource not found")
        #expect(read["error"]?["data"]?["uri"] == "tickets://1")
        let body = legacyBody(
            id: 0, method: "initialize", params: ["protocolVersion": "2025-11-25", "capabilities": [:], "clientInfo": ["name": "c", "version": "1"]])
        let opened = await post(server, legacyHeaders(), body)
        let session = try #require(opened.sessionID)
        #expect(try opened.result()["capabilities"]?["prompts"] == ["listChanged": false])
        #expect(try opened.result()["capabilities"]?["resources"] == nil)
        let legacy = try await post(
            server, legacyHeaders(session: session, version: "2025-11-25"), legacyBody(method: "resources/read", params: ["uri": "x://y"])
        ).json()
        #expect(legacy["error"]?["code"] == -32002)
    }
}
