import Foundation
import GatehouseJSON
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MCPProtocol
import Synchronization
import GatehouseTesting
import Testing
import Upstream

@testable import Gateway

// MARK: - Test doubles and fixtures

let demoConnector = """
    connector: demo
    description: Demo API for tests.
    base_url: https://api.example.test/v1
    tools:
      - name: get_item
        title: Get an item
        description: Fetch one item by id.
        path: /items/{id}
        parameters:
          id: { type: string, required: true, description: Item id }
          limit: { type: integer, minimum: 1, maximum: 10, default: 3, description: How many }
        response:
          fields: [id, name]
      - name: create_note
        description: Create a note.
        method: POST
        path: /notes
        parameters:
          text: { type: string, required: true, description: Note text }
    """

let brokenConnector = """
    connector: broken
    base_url: ftp://nowhere
    tools:
      - name: oops
        path: no-slash
    """

func mcpHeaders(method: String?, name: String? = nil, modern: Bool = true, extra: [(String, String)] = []) -> HTTPFields {
    var headers: HTTPFields = [.contentType: "application/json", .accept: "application/json, text/event-stream"]
    if modern { headers[.mcpProtocolVersion] = "2026-07-28" }
    if let method { headers[.mcpMethod] = method }
    if let name { headers[.mcpName] = name }
    for (field, value) in extra { headers.append(HTTPField(name: HTTPField.Name(field)!, value: value)) }
    return headers
}

func modernRequest(id: JSONValue = 1, method: String, params: JSONObject = [:]) -> ByteBuffer {
    var params = params
    params["_meta"] = [
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": ["name": "TestClient", "version": "1.0.0"],
        "io.modelcontextprotocol/clientCapabilities": [:],
    ]
    return ByteBuffer(bytes: JSONValue.object(["jsonrpc": "2.0", "id": id, "method": .string(method), "params": .object(params)]).jsonBytes)
}

func legacyRequest(id: JSONValue? = 1, method: String, params: JSONObject? = nil) -> ByteBuffer {
    var object: JSONObject = ["jsonrpc": "2.0"]
    if let id { object["id"] = id }
    object["method"] = .string(method)
    if let params { object["params"] = .object(params) }
    return ByteBuffer(bytes: JSONValue.object(object).jsonBytes)
}

extension TestResponse {
    func json() throws -> JSONValue { try JSONParser.parse(Array(body.readableBytesView)) }
}

// MARK: - Routes

/// Calls `get_item` and returns the text of the tool error it must answer with.
func toolErrorText(_ client: some TestClientProtocol) async throws -> String {
    let response = try await client.execute(
        uri: "/mcp", method: .post, headers: mcpHeaders(method: "tools/call", name: "get_item"),
        body: modernRequest(method: "tools/call", params: ["name": "get_item", "arguments": ["id": "1"]]))
    #expect(response.status == .ok)
    let result = try #require(try response.json()["result"])
    #expect(result["isError"] == true)
    return try #require(result["content"]?.arrayValue?.first?["text"]?.stringValue)
}

@Suite("Gateway routes")
struct GatewayRouteTests {
    @Test func modernToolCallReachesTheUpstream() async throws {
        let upstream = ScriptedUpstream()
        try await withGateway(["demo.yaml": demoConnector], upstream: upstream) { client, gateway in
            try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "tools/call", name: "get_item"),
                body: modernRequest(id: "c1", method: "tools/call", params: ["name": "get_item", "arguments": ["id": "42"]])
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(response.headers[.mcpSessionID] == nil)
                let message = try response.json()
                #expect(message["id"] == "c1")
                let result = try #require(message["result"])
                #expect(result["resultType"] == "complete")
                #expect(result["content"] == [["type": "text", "text": #"{"id":"42","name":"Widget"}"#]])
                #expect(result["isError"] == nil)
                #expect(result["_meta"]?["io.modelcontextprotocol/serverInfo"]?["version"] == .string(Gateway.version))
            }
        }
        let request = try #require(upstream.requests.first)
        #expect(upstream.requests.count == 1)
        #expect(request.method.rawValue == "GET")
        #expect(request.url == "https://api.example.test/v1/items/42?limit=3")
        #expect(request.displayURL == "https://api.example.test/v1/items/42")
        #expect(request.body == nil)
        #expect(request.header("User-Agent") == "gatehouse/\(Gateway.version)")
    }

    @Test func pathArgumentsArePercentEncoded() async throws {
        let upstream = ScriptedUpstream()
        try await withGateway(["demo.yaml": demoConnector], upstream: upstream) { client, gateway in
            let response = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "tools/call", name: "get_item"),
                body: modernRequest(method: "tools/call", params: ["name": "get_item", "arguments": ["id": "../a b?", "limit": 7]]))
            #expect(response.status == .ok)
        }
        #expect(upstream.requests.map(\.url) == ["https://api.example.test/v1/items/..%2Fa%20b%3F?limit=7"])
    }

    @Test func postToolSendsAJSONBody() async throws {
        let upstream = ScriptedUpstream(.respond(UpstreamResponse(status: 201, contentType: "application/json", body: Array(#"{"ok":true}"#.utf8))))
        try await withGateway(["demo.yaml": demoConnector], upstream: upstream) { client, gateway in
            let response = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "tools/call", name: "create_note"),
                body: modernRequest(method: "tools/call", params: ["name": "create_note", "arguments": ["text": "hello"]]))
            #expect(response.status == .ok)
            #expect(try response.json()["result"]?["content"] == [["type": "text", "text": #"{"ok":true}"#]])
        }
        let request = try #require(upstream.requests.first)
        #expect(request.method.rawValue == "POST")
        #expect(request.url == "https://api.example.test/v1/notes")
        #expect(request.header("content-type") == "application/json")
        let body = try #require(request.body)
        #expect(try JSONParser.parse(body) == ["text": "hello"])
    }

    @Test func toolsListServesTheCatalog() async throws {
        try await withGateway(["demo.yaml": demoConnector]) { client, gateway in
            let response = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "tools/list"), body: modernRequest(method: "tools/list"))
            #expect(response.status == .ok)
            let result = try #require(try response.json()["result"])
            let tools = try #require(result["tools"]?.arrayValue)
            #expect(tools.compactMap { $0["name"]?.stringValue } == ["create_note", "get_item"])
            #expect(tools[1]["title"] == "Get an item")
            #expect(tools[1]["inputSchema"]?["type"] == "object")
            #expect(tools[1]["inputSchema"]?["required"] == ["id"])
            #expect(result["resultType"] == "complete")
            #expect(result["ttlMs"] == 1234)
            #expect(result["cacheScope"] == "public")
        }
    }

    @Test func paginationThroughTheGateway() async throws {
        try await withGateway(["demo.yaml": demoConnector], configure: { $0.pageSize = 1 }) { client, gateway in
            let first = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "tools/list"), body: modernRequest(method: "tools/list"))
            let firstResult = try #require(try first.json()["result"])
            #expect(firstResult["tools"]?.arrayValue?.count == 1)
            let cursor = try #require(firstResult["nextCursor"])
            let second = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "tools/list"),
                body: modernRequest(method: "tools/list", params: ["cursor": cursor]))
            let secondResult = try #require(try second.json()["result"])
            #expect(secondResult["tools"]?.arrayValue?.first?["name"] == "get_item")
            #expect(secondResult["nextCursor"] == nil)
        }
    }

    @Test func upstreamFailureIsAToolError() async throws {
        let upstream = ScriptedUpstream(.fail(.connectionFailed("connection refused")))
        try await withGateway(["demo.yaml": demoConnector], upstream: upstream) { client, gateway in
            let text = try await toolErrorText(client)
            #expect(text.contains("https://api.example.test"))
            #expect(text.contains("connection refused"))
        }
        #expect(upstream.requests.count == 1)
    }

    @Test func upstreamErrorStatusIsAToolError() async throws {
        let upstream = ScriptedUpstream(.respond(UpstreamResponse(status: 404, reason: "Not Found", contentType: "text/plain", body: Array("nope".utf8))))
        try await withGateway(["demo.yaml": demoConnector], upstream: upstream) { client, gateway in
            let text = try await toolErrorText(client)
            #expect(text.contains("HTTP 404"))
        }
    }

    @Test func invalidArgumentsNeverReachTheUpstream() async throws {
        let upstream = ScriptedUpstream()
        try await withGateway(["demo.yaml": demoConnector], upstream: upstream) { client, gateway in
            let response = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "tools/call", name: "get_item"),
                body: modernRequest(method: "tools/call", params: ["name": "get_item", "arguments": ["limit": 99]]))
            #expect(response.status == .ok)
            #expect(try response.json()["result"]?["isError"] == true)

            let unknown = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "tools/call", name: "find_place"),
                body: modernRequest(method: "tools/call", params: ["name": "find_place", "arguments": [:]]))
            #expect(try unknown.json()["error"]?["code"] == -32602)
        }
        #expect(upstream.requests.isEmpty)
    }

    @Test func legacySessionThroughTheGateway() async throws {
        let upstream = ScriptedUpstream()
        try await withGateway(["demo.yaml": demoConnector], upstream: upstream) { client, gateway in
            let initialize = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: nil, modern: false),
                body: legacyRequest(id: 0, method: "initialize", params: ["protocolVersion": "2025-06-18", "capabilities": [:]]))
            #expect(initialize.status == .ok)
            #expect(try initialize.json()["result"]?["protocolVersion"] == "2025-06-18")
            let session = try #require(initialize.headers[.mcpSessionID])

            let initialized = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: nil, modern: false, extra: [("Mcp-Session-Id", session)]),
                body: legacyRequest(id: nil, method: "notifications/initialized"))
            #expect(initialized.status == .accepted)
            #expect(initialized.body.readableBytes == 0)

            let call = try await client.execute(
                uri: "/mcp", method: .post,
                headers: mcpHeaders(method: nil, modern: false, extra: [("Mcp-Session-Id", session), ("MCP-Protocol-Version", "2025-06-18")]),
                body: legacyRequest(id: 2, method: "tools/call", params: ["name": "get_item", "arguments": ["id": "7"]]))
            #expect(call.status == .ok)
            let result = try #require(try call.json()["result"])
            #expect(result["resultType"] == nil)
            #expect(result["content"]?.arrayValue?.count == 1)

            let noSession = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: nil, modern: false), body: legacyRequest(method: "tools/list"))
            #expect(noSession.status == .badRequest)

            let delete = try await client.execute(uri: "/mcp", method: .delete, headers: [.mcpSessionID: session])
            #expect(delete.status == .ok)
            let after = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: nil, modern: false, extra: [("Mcp-Session-Id", session)]),
                body: legacyRequest(method: "tools/list"))
            #expect(after.status == .notFound)
        }
        #expect(upstream.requests.map(\.url) == ["https://api.example.test/v1/items/7?limit=3"])
    }

    @Test func replicasWithTheSameSecretShareSessions() async throws {
        let folder = try TemporaryFolder(["demo.yaml": demoConnector])
        let replicaA = try makeTestGateway(folder: folder.path, upstream: ScriptedUpstream())
        let replicaB = try makeTestGateway(folder: folder.path, upstream: ScriptedUpstream())
        let stranger = try makeTestGateway(folder: folder.path, upstream: ScriptedUpstream()) { $0.sessionSecret = nil }
        let session = try await Application(router: replicaA.router()).test(.router) { client in
            let response = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: nil, modern: false),
                body: legacyRequest(method: "initialize", params: ["protocolVersion": "2025-11-25"]))
            return try #require(response.headers[.mcpSessionID])
        }
        try await Application(router: replicaB.router()).test(.router) { client in
            let response = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: nil, modern: false, extra: [("Mcp-Session-Id", session)]),
                body: legacyRequest(method: "tools/list"))
            #expect(response.status == .ok)
        }
        try await Application(router: stranger.router()).test(.router) { client in
            let response = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: nil, modern: false, extra: [("Mcp-Session-Id", session)]),
                body: legacyRequest(method: "tools/list"))
            #expect(response.status == .notFound)
        }
    }

    @Test func oversizedBodyIsRefused() async throws {
        let upstream = ScriptedUpstream()
        try await withGateway(["demo.yaml": demoConnector], upstream: upstream, configure: { $0.maxBodyBytes = 1024 }) { client, gateway in
            let padding = String(repeating: "x", count: 2000)
            let big = modernRequest(method: "tools/call", params: ["name": "get_item", "arguments": ["id": .string(padding)]])
            #expect(big.readableBytes > 1024)
            let response = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "tools/call", name: "get_item"), body: big)
            #expect(response.status == .contentTooLarge)
            #expect(response.headers[.contentType] == "application/json")
            #expect(try response.json()["error"]?["code"] == -32600)

            // Just under the limit is served.
            let small = modernRequest(method: "tools/call", params: ["name": "get_item", "arguments": ["id": .string(String(repeating: "y", count: 600))]])
            #expect(small.readableBytes <= 1024)
            let ok = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "tools/call", name: "get_item"), body: small)
            #expect(ok.status == .ok)
        }
        #expect(upstream.requests.count == 1)
    }

    @Test func getAndDeleteWithoutSessionAreMethodNotAllowed() async throws {
        try await withGateway(["demo.yaml": demoConnector]) { client, gateway in
            let get = try await client.execute(uri: "/mcp", method: .get, headers: [.accept: "text/event-stream"])
            #expect(get.status == .methodNotAllowed)
            #expect(get.headers[.allow] == "POST")
            let delete = try await client.execute(uri: "/mcp", method: .delete)
            #expect(delete.status == .methodNotAllowed)
        }
    }

    @Test func originsAreCheckedOnTheRoute() async throws {
        let folder = try TemporaryFolder(["demo.yaml": demoConnector])
        let gateway = try makeTestGateway(folder: folder.path, upstream: ScriptedUpstream()) {
            $0.publicURL = "https://mcp.example.com"
            $0.allowedOrigins = ["https://inspector.example.org"]
        }
        try await Application(router: gateway.router()).test(.router) { client in
            for (origin, expected) in [
                ("https://evil.example", HTTPResponse.Status.forbidden), ("https://mcp.example.com", .ok),
                ("https://inspector.example.org", .ok), ("http://localhost:6274", .ok),
            ] {
                var headers = mcpHeaders(method: "server/discover")
                headers[.origin] = origin
                let response = try await client.execute(
                    uri: "/mcp", method: .post, headers: headers, body: modernRequest(method: "server/discover"))
                #expect(response.status == expected, "origin \(origin)")
            }
            let get = try await client.execute(uri: "/mcp", method: .get, headers: [.origin: "https://evil.example"])
            #expect(get.status == .forbidden)
            let delete = try await client.execute(uri: "/mcp", method: .delete, headers: [.origin: "https://evil.example"])
            #expect(delete.status == .forbidden)
        }
    }

    // MARK: Operational endpoints

    @Test func healthz() async throws {
        try await withGateway(["demo.yaml": demoConnector]) { client, gateway in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(try response.json() == ["status": "ok"])
        }
    }

    @Test func statusListsConnectorsToolsAndProblems() async throws {
        let folder = try TemporaryFolder(["demo.yaml": demoConnector, "broken.yaml": brokenConnector, "notes.txt": "ignored"])
        let gateway = try makeTestGateway(folder: folder.path, upstream: ScriptedUpstream())
        try await Application(router: gateway.router()).test(.router) { client in
            let response = try await client.execute(uri: "/status", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            let status = try response.json()
            #expect(status["version"] == .string(Gateway.version))
            #expect(status["tools"] == 2)
            #expect(status["connectors"] == [["name": "demo", "file": .string(folder.path + "/demo.yaml"), "tools": 2]])
            #expect(status["last_reload"]?.stringValue != nil)
            #expect(status["reloads"]?["failed"] == 1)
            let problemValues = try #require(status["problems"]?.arrayValue)
            let problems = problemValues.compactMap(\.stringValue)
            #expect(!problems.isEmpty)
            #expect(problems.allSatisfy { $0.hasPrefix(folder.path + "/broken.yaml:") })
            #expect(problems.contains { $0.contains("ftp") })
        }
    }

    @Test func statusBeforeTheFirstLoad() async throws {
        try await withGateway(["demo.yaml": demoConnector], reload: false) { client, gateway in
            let status = try await client.execute(uri: "/status", method: .get).json()
            #expect(status["tools"] == 0)
            #expect(status["connectors"] == [])
            #expect(status["problems"] == [])
            #expect(status["last_reload"] == nil)
        }
    }

    @Test func reloadServesNewFiles() async throws {
        let folder = try TemporaryFolder(["demo.yaml": demoConnector])
        let gateway = try makeTestGateway(folder: folder.path, upstream: ScriptedUpstream())
        try folder.write("extra.yaml", """
            connector: extra
            description: Extra tools.
            base_url: https://extra.example.test
            tools:
              - name: aaa_first
                description: Sorts first.
                path: /first
            """)
        let result = try gateway.reload()
        #expect(result.result.diagnostics.isEmpty)
        #expect(result.toolsChanged)
        try await Application(router: gateway.router()).test(.router) { client in
            let response = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "tools/list"), body: modernRequest(method: "tools/list"))
            let names = try response.json()["result"]?["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
            #expect(names == ["aaa_first", "create_note", "get_item"])
        }
    }

    @Test func unknownPathIsNotFound() async throws {
        try await withGateway([:]) { client, gateway in
            let response = try await client.execute(uri: "/nope", method: .get)
            #expect(response.status == .notFound)
        }
    }
}
