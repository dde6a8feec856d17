import Caller
import Foundation
import GatehouseJSON
import HTTPTypes
import Synchronization
import Testing

@testable import MCPProtocol

// MARK: - Shared test support (used by every file of this target)

/// One `tools/call` the fake provider saw.
struct RecordedCall: Sendable {
    var name: String
    var arguments: JSONObject
    var era: ProtocolEra
    var protocolVersion: String
    var requestID: JSONRPCID?
    /// The subject of the caller the call came with.
    var caller: String?
}

final class CallLog: Sendable {
    private let calls = Mutex<[RecordedCall]>([])
    func record(_ call: RecordedCall) { calls.withLock { $0.append(call) } }
    var all: [RecordedCall] { calls.withLock { $0 } }
}

/// A tool provider with five pre-encoded tools, in a fixed order.
struct FakeTools: ToolProvider {
    static let names = ["alpha", "bravo", "charlie", "delta", "echo"]

    let descriptors: [[UInt8]]
    let perCaller: Bool
    let log = CallLog()

    init(perCaller: Bool = false) {
        self.perCaller = perCaller
        self.descriptors = Self.names.map { name in
            JSONValue.object([
                "name": .string(name),
                "description": .string("The \(name) tool \u{1F6E0} \"quoted\""),
                "inputSchema": ["type": "object", "properties": ["q": ["type": "string"]]],
            ]).jsonBytes
        }
    }

    func listing(for context: CallContext) -> ToolListing {
        ToolListing(descriptors: descriptors, isPerCaller: perCaller)
    }

    func callTool(named name: String, arguments: JSONObject, context: CallContext) async -> ToolCallOutcome {
        guard Self.names.contains(name) else { return .unknownTool }
        if name == "echo", context.caller?.subject == "no-echo-scope" { return .forbidden(requiredScopes: ["mcp", "echo:use"]) }
        log.record(RecordedCall(
            name: name, arguments: arguments, era: context.era, protocolVersion: context.protocolVersion,
            requestID: context.requestID, caller: context.caller?.subject))
        return .result(["content": [["type": "text", "text": .string("\(name) ran with \(JSONValue.object(arguments).jsonString)")]]])
    }
}

let testSecret: [UInt8] = Array("gatehouse-test-secret".utf8)
let modernVersion = "2026-07-28"
let bothAccept = "application/json, text/event-stream"

func makeServer(
    tools: FakeTools = FakeTools(), pageSize: Int = 200, ttl: Int = 4321, instructions: String? = "Use the tools.",
    origins: OriginPolicy = OriginPolicy(), secret: [UInt8] = testSecret, revocations: SessionRevocations = SessionRevocations(),
    listChanged: Bool = true
) -> MCPServer {
    MCPServer(
        configuration: MCPServerConfiguration(
            serverName: "gatehouse-test", serverVersion: "9.9.9", serverTitle: "Gatehouse Test", instructions: instructions,
            pageSize: pageSize, listTTLMilliseconds: ttl, originPolicy: origins,
            sessionSigner: SessionSigner(secret: secret), listChangedNotifications: listChanged),
        tools: tools, revocations: revocations)
}

/// An endpoint answer with helpers to read it.
struct Reply {
    let response: MCPHTTPResponse

    var status: Int { response.status.code }
    var contentType: String? { response.headerFields[.contentType] }
    var sessionID: String? { response.headerFields[.mcpSessionID] }
    var text: String { String(decoding: response.body, as: UTF8.self) }

    /// The JSON-RPC message in the body, SSE framing removed.
    func json(sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
        var bytes = response.body
        if contentType == "text/event-stream" {
            let prefix = Array("event: message\ndata: ".utf8)
            #expect(bytes.starts(with: prefix), "SSE framing missing", sourceLocation: sourceLocation)
            #expect(bytes.suffix(2) == [0x0A, 0x0A], "SSE event not terminated", sourceLocation: sourceLocation)
            bytes = Array(bytes.dropFirst(prefix.count).dropLast(2))
        }
        return try JSONParser.parse(bytes)
    }

    func result() throws -> JSONValue { try #require(try json()["result"]) }
    func errorCode() throws -> Int64? { try json()["error"]?["code"]?.integerValue }
}

func fields(_ pairs: [(String, String)]) -> HTTPFields {
    var fields = HTTPFields()
    for (name, value) in pairs { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
    return fields
}

/// Headers a conforming 2026-07-28 client sends.
func modernHeaders(
    method: String?, name: String? = nil, version: String? = modernVersion, accept: String? = bothAccept,
    extra: [(String, String)] = []
) -> HTTPFields {
    var pairs: [(String, String)] = [("Content-Type", "application/json")]
    if let accept { pairs.append(("Accept", accept)) }
    if let version { pairs.append(("MCP-Protocol-Version", version)) }
    if let method { pairs.append(("Mcp-Method", method)) }
    if let name { pairs.append(("Mcp-Name", name)) }
    return fields(pairs + extra)
}

/// A 2026-07-28 request body with the per-request `_meta`.
func modernBody(
    id: JSONValue = 1, method: String, params: JSONObject = [:], version: JSONValue = .string(modernVersion),
    capabilities: JSONValue? = [:]
) -> [UInt8] {
    var meta: JSONObject = [
        "io.modelcontextprotocol/protocolVersion": version,
        "io.modelcontextprotocol/clientInfo": ["name": "TestClient", "version": "1.0.0"],
    ]
    if let capabilities { meta["io.modelcontextprotocol/clientCapabilities"] = capabilities }
    var params = params
    params["_meta"] = .object(meta)
    return JSONValue.object(["jsonrpc": "2.0", "id": id, "method": .string(method), "params": .object(params)]).jsonBytes
}

func post(_ server: MCPServer, _ headers: HTTPFields, _ body: [UInt8], caller: CallerIdentity? = nil) async -> Reply {
    Reply(response: await server.handlePost(headers: headers, body: body, caller: caller))
}

func post(_ server: MCPServer, _ headers: HTTPFields, json: String) async -> Reply {
    await post(server, headers, Array(json.utf8))
}

func toolNames(_ result: JSONValue) -> [String] {
    (result["tools"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
}

let serverInfoKey = "io.modelcontextprotocol/serverInfo"

// MARK: - 2026-07-28 (modern) requests

@Suite("MCPServer, 2026-07-28 era")
struct MCPServerModernTests {
    // MARK: server/discover

    @Test func discoverDescribesTheServer() async throws {
        let server = makeServer(ttl: 4321)
        let reply = await post(server, modernHeaders(method: "server/discover"), modernBody(id: "discover-1", method: "server/discover"))
        #expect(reply.status == 200)
        #expect(reply.contentType == "application/json")
        #expect(reply.sessionID == nil)
        let message = try reply.json()
        #expect(message["jsonrpc"] == "2.0")
        #expect(message["id"] == "discover-1")
        let result = try reply.result()
        #expect(result["supportedVersions"] == ["2026-07-28"])
        #expect(result["capabilities"]?["tools"]?.objectValue != nil)
        #expect(result["capabilities"]?["tools"]?["listChanged"] == true)
        #expect(result["resultType"] == "complete")
        #expect(result["ttlMs"] == 4321)
        #expect(result["cacheScope"] == "public")
        #expect(result["instructions"] == "Use the tools.")
        let info = try #require(result["_meta"]?[serverInfoKey])
        #expect(info["name"] == "gatehouse-test")
        #expect(info["version"] == "9.9.9")
        #expect(info["title"] == "Gatehouse Test")
    }

    @Test func discoverWithoutInstructionsOmitsThem() async throws {
        let server = makeServer(instructions: nil)
        let reply = await post(server, modernHeaders(method: "server/discover"), modernBody(method: "server/discover"))
        #expect(reply.status == 200)
        #expect(try reply.result()["instructions"] == nil)
    }

    // MARK: tools/list

    @Test func toolsListReturnsEveryToolWithCachingHints() async throws {
        let server = makeServer(ttl: 2500)
        let reply = await post(server, modernHeaders(method: "tools/list"), modernBody(id: 7, method: "tools/list"))
        #expect(reply.status == 200)
        #expect(reply.contentType == "application/json")
        #expect(try reply.json()["id"] == 7)
        let result = try reply.result()
        #expect(toolNames(result) == FakeTools.names)
        #expect(result["resultType"] == "complete")
        #expect(result["ttlMs"] == 2500)
        #expect(result["cacheScope"] == "public")
        #expect(result["nextCursor"] == nil)
        #expect(result["_meta"]?[serverInfoKey]?["name"] == "gatehouse-test")
        // Descriptors are spliced byte for byte.
        let first = try #require(result["tools"]?.arrayValue?.first)
        #expect(first == (try JSONParser.parse(FakeTools().descriptors[0])))
    }

    @Test func toolsListIsDeterministic() async throws {
        let server = makeServer()
        let one = await post(server, modernHeaders(method: "tools/list"), modernBody(method: "tools/list"))
        let two = await post(server, modernHeaders(method: "tools/list"), modernBody(method: "tools/list"))
        #expect(one.status == 200)
        #expect(one.response.body == two.response.body)
    }

    @Test func perCallerListingIsPrivate() async throws {
        let server = makeServer(tools: FakeTools(perCaller: true))
        let reply = await post(server, modernHeaders(method: "tools/list"), modernBody(method: "tools/list"))
        #expect(reply.status == 200)
        #expect(try reply.result()["cacheScope"] == "private")
    }

    @Test func zeroTTLIsReportedAsZero() async throws {
        let server = makeServer(ttl: 0)
        let reply = await post(server, modernHeaders(method: "tools/list"), modernBody(method: "tools/list"))
        #expect(try reply.result()["ttlMs"] == 0)
    }

    @Test func paginationCoversEveryToolExactlyOnce() async throws {
        let server = makeServer(pageSize: 2)
        var seen: [String] = []
        var pageSizes: [Int] = []
        var cursor: String?
        var pages = 0
        repeat {
            var params: JSONObject = [:]
            if let cursor { params["cursor"] = .string(cursor) }
            let reply = await post(server, modernHeaders(method: "tools/list"), modernBody(method: "tools/list", params: params))
            #expect(reply.status == 200)
            let result = try reply.result()
            #expect(result["resultType"] == "complete")
            #expect(result["cacheScope"] == "public")
            let names = toolNames(result)
            pageSizes.append(names.count)
            seen += names
            cursor = result["nextCursor"]?.stringValue
            if result["nextCursor"] != nil { #expect(cursor != nil, "nextCursor must be a string") }
            pages += 1
        } while cursor != nil && pages < 10
        #expect(pageSizes == [2, 2, 1])
        #expect(seen == FakeTools.names)
        #expect(Set(seen).count == seen.count)
    }

    @Test(arguments: [JSONValue.string("not-a-cursor"), .string("%%%"), .string(""), .int(2), .null, ["o": 1]])
    func invalidCursorIsInvalidParams(cursor: JSONValue) async throws {
        let server = makeServer(pageSize: 2)
        let reply = await post(
            server, modernHeaders(method: "tools/list"), modernBody(id: 3, method: "tools/list", params: ["cursor": cursor]))
        #expect(reply.status == 200)
        #expect(try reply.json()["id"] == 3)
        #expect(try reply.errorCode() == -32602)
    }

    // MARK: tools/call

    @Test func toolsCallRunsTheTool() async throws {
        let tools = FakeTools()
        let server = makeServer(tools: tools)
        let reply = await post(
            server, modernHeaders(method: "tools/call", name: "bravo"),
            modernBody(id: "call-1", method: "tools/call", params: ["name": "bravo", "arguments": ["q": "hi"]]),
            caller: CallerIdentity(subject: "user-7"))
        #expect(reply.status == 200)
        #expect(reply.contentType == "application/json")
        #expect(try reply.json()["id"] == "call-1")
        let result = try reply.result()
        #expect(result["resultType"] == "complete")
        #expect(result["content"] == [["type": "text", "text": #"bravo ran with {"q":"hi"}"#]])
        #expect(result["_meta"]?[serverInfoKey]?["version"] == "9.9.9")
        // A tool result is not one of the cacheable results.
        #expect(result["ttlMs"] == nil)
        let call = try #require(tools.log.all.first)
        #expect(tools.log.all.count == 1)
        #expect(call.name == "bravo")
        #expect(call.arguments == ["q": "hi"])
        #expect(call.era == .modern)
        #expect(call.protocolVersion == modernVersion)
        #expect(call.requestID == .string("call-1"))
        #expect(call.caller == "user-7")
    }

    @Test func toolsCallWithoutArgumentsPassesAnEmptyObject() async throws {
        let tools = FakeTools()
        let server = makeServer(tools: tools)
        let reply = await post(
            server, modernHeaders(method: "tools/call", name: "alpha"), modernBody(method: "tools/call", params: ["name": "alpha"]))
        #expect(reply.status == 200)
        #expect(tools.log.all.first?.arguments == [:])
    }

    @Test func unknownToolIsInvalidParams() async throws {
        let tools = FakeTools()
        let server = makeServer(tools: tools)
        let reply = await post(
            server, modernHeaders(method: "tools/call", name: "zulu"),
            modernBody(id: 9, method: "tools/call", params: ["name": "zulu", "arguments": [:]]))
        #expect(reply.status == 200)
        #expect(try reply.json()["id"] == 9)
        #expect(try reply.errorCode() == -32602)
        #expect(tools.log.all.isEmpty)
    }

    @Test func argumentsThatAreNotAnObjectAreInvalidParams() async throws {
        let tools = FakeTools()
        let server = makeServer(tools: tools)
        let reply = await post(
            server, modernHeaders(method: "tools/call", name: "alpha"),
            modernBody(method: "tools/call", params: ["name": "alpha", "arguments": ["q"]]))
        #expect(try reply.errorCode() == -32602)
        #expect(tools.log.all.isEmpty)
    }

    // MARK: Header validation (HeaderMismatch -32020)

    @Test func missingProtocolVersionHeaderIsHeaderMismatch() async throws {
        let server = makeServer()
        let reply = await post(server, modernHeaders(method: "tools/list", version: nil), modernBody(id: 4, method: "tools/list"))
        #expect(reply.status == 400)
        #expect(try reply.json()["id"] == 4)
        #expect(try reply.errorCode() == -32020)
    }

    @Test(arguments: ["2025-11-25", "2026-07-29", "2099-01-01", ""])
    func protocolVersionHeaderDisagreeingWithMetaIsHeaderMismatch(header: String) async throws {
        let server = makeServer()
        let reply = await post(server, modernHeaders(method: "tools/list", version: header), modernBody(method: "tools/list"))
        #expect(reply.status == 400)
        #expect(try reply.errorCode() == -32020)
    }

    @Test func headerNamesAreCaseInsensitive() async throws {
        let server = makeServer()
        let headers = fields([
            ("content-type", "application/json"), ("accept", bothAccept), ("mcp-protocol-version", modernVersion),
            ("MCP-METHOD", "tools/call"), ("mcp-name", "alpha"),
        ])
        let reply = await post(server, headers, modernBody(method: "tools/call", params: ["name": "alpha"]))
        #expect(reply.status == 200)
        #expect(try reply.result()["resultType"] == "complete")
    }

    @Test func missingMcpMethodIsHeaderMismatch() async throws {
        let server = makeServer()
        let reply = await post(server, modernHeaders(method: nil), modernBody(method: "tools/list"))
        #expect(reply.status == 400)
        #expect(try reply.errorCode() == -32020)
    }

    @Test(arguments: ["tools/call", "Tools/List", "tools/listx", "server/discover"])
    func mismatchedMcpMethodIsHeaderMismatch(header: String) async throws {
        let server = makeServer()
        let reply = await post(server, modernHeaders(method: header, name: "alpha"), modernBody(method: "tools/list"))
        #expect(reply.status == 400)
        #expect(try reply.errorCode() == -32020)
    }

    @Test func missingMcpNameOnToolsCallIsHeaderMismatch() async throws {
        let tools = FakeTools()
        let server = makeServer(tools: tools)
        let reply = await post(
            server, modernHeaders(method: "tools/call"), modernBody(id: 5, method: "tools/call", params: ["name": "alpha"]))
        #expect(reply.status == 400)
        #expect(try reply.json()["id"] == 5)
        #expect(try reply.errorCode() == -32020)
        #expect(tools.log.all.isEmpty)
    }

    @Test(arguments: ["bravo", "Alpha", "alpha2", "=?base64?YnJhdm8=?=", "=?base64?not base64!?="])
    func mismatchedMcpNameIsHeaderMismatch(header: String) async throws {
        let tools = FakeTools()
        let server = makeServer(tools: tools)
        let reply = await post(
            server, modernHeaders(method: "tools/call", name: header), modernBody(method: "tools/call", params: ["name": "alpha"]))
        #expect(reply.status == 400)
        #expect(try reply.errorCode() == -32020)
        #expect(tools.log.all.isEmpty)
    }

    @Test func base64SentinelMcpNameIsDecoded() async throws {
        let tools = FakeTools()
        let server = makeServer(tools: tools)
        let encoded = "=?base64?" + Data("charlie".utf8).base64EncodedString() + "?="
        #expect(encoded == "=?base64?Y2hhcmxpZQ==?=")
        let reply = await post(
            server, modernHeaders(method: "tools/call", name: encoded), modernBody(method: "tools/call", params: ["name": "charlie"]))
        #expect(reply.status == 200)
        #expect(try reply.result()["resultType"] == "complete")
        #expect(tools.log.all.map(\.name) == ["charlie"])
    }

    @Test func sentinelDecodingFollowsTheSpecExamples() {
        #expect(HTTPFields.decodeSentinel("=?base64?SGVsbG8sIOS4lueVjA==?=") == "Hello, 世界")
        #expect(HTTPFields.decodeSentinel("=?base64?IHBhZGRlZCA=?=") == " padded ")
        #expect(HTTPFields.decodeSentinel("=?base64?bGluZTEKbGluZTI=?=") == "line1\nline2")
        #expect(HTTPFields.decodeSentinel("=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=") == "=?base64?literal?=")
        #expect(HTTPFields.decodeSentinel("us-west1") == "us-west1")
        // The markers are case-sensitive: an upper-case prefix is a plain value.
        #expect(HTTPFields.decodeSentinel("=?BASE64?YQ==?=") == "=?BASE64?YQ==?=")
        #expect(HTTPFields.decodeSentinel("=?base64?***?=") == nil)
    }

    // MARK: Versions and _meta

    @Test func unsupportedVersionListsSupportedAndRequested() async throws {
        let server = makeServer()
        let reply = await post(
            server, modernHeaders(method: "tools/list", version: "2099-01-01"),
            modernBody(id: 11, method: "tools/list", version: "2099-01-01"))
        #expect(reply.status == 400)
        let message = try reply.json()
        #expect(message["id"] == 11)
        #expect(message["error"]?["code"] == -32022)
        #expect(message["error"]?["data"]?["supported"] == ["2026-07-28"])
        #expect(message["error"]?["data"]?["requested"] == "2099-01-01")
    }

    @Test func legacyVersionInMetaIsUnsupported() async throws {
        let server = makeServer()
        let reply = await post(
            server, modernHeaders(method: "tools/list", version: "2025-11-25"),
            modernBody(method: "tools/list", version: "2025-11-25"))
        #expect(reply.status == 400)
        #expect(try reply.errorCode() == -32022)
        #expect(try reply.json()["error"]?["data"]?["requested"] == "2025-11-25")
    }

    @Test func headerMismatchIsReportedBeforeAnUnsupportedBodyVersion() async throws {
        let server = makeServer()
        let reply = await post(
            server, modernHeaders(method: "tools/list", version: modernVersion),
            modernBody(id: 12, method: "tools/list", version: "2099-01-01"))
        #expect(reply.status == 400)
        #expect(try reply.errorCode() == -32020)
        #expect(try reply.json()["id"] == 12)
    }

    @Test func nonStringVersionInMetaIsInvalidParams() async throws {
        let server = makeServer()
        let reply = await post(server, modernHeaders(method: "tools/list"), modernBody(method: "tools/list", version: 20260728))
        #expect(reply.status == 400)
        #expect(try reply.errorCode() == -32602)
    }

    @Test(arguments: ["tools/list", "tools/call"])
    func missingProtocolVersionInMetaIsInvalidParams(method: String) async throws {
        // Regression (fixed), this used to fail: a 2026-07-28 request (MCP-Protocol-Version: 2026-07-28, no
        // session) whose _meta lacks io.modelcontextprotocol/protocolVersion
        // falls through to the legacy path and gets -32600 "no Mcp-Session-Id".
        // basic/index.mdx: "A request missing any required field is malformed;
        // the server MUST reject it with JSON-RPC error code -32602 (Invalid
        // params). On HTTP, the response status MUST be 400 Bad Request."
        // (server/discover already gets -32602 this way.)
        let server = makeServer()
        let body: JSONValue = [
            "jsonrpc": "2.0", "id": 14, "method": .string(method),
            "params": ["name": "alpha", "_meta": ["io.modelcontextprotocol/clientCapabilities": [:]]],
        ]
        let reply = await post(server, modernHeaders(method: method, name: "alpha"), body.jsonBytes)
        #expect(reply.status == 400)
        #expect(try reply.json()["id"] == 14)
        #expect(try reply.errorCode() == -32602)
    }

    @Test func missingClientCapabilitiesIsInvalidParams() async throws {
        let server = makeServer()
        let reply = await post(
            server, modernHeaders(method: "tools/list"), modernBody(id: 12, method: "tools/list", capabilities: nil))
        #expect(reply.status == 400)
        #expect(try reply.json()["id"] == 12)
        #expect(try reply.errorCode() == -32602)
    }

    @Test func clientCapabilitiesThatAreNotAnObjectAreInvalidParams() async throws {
        let server = makeServer()
        let reply = await post(server, modernHeaders(method: "tools/list"), modernBody(method: "tools/list", capabilities: "all"))
        #expect(reply.status == 400)
        #expect(try reply.errorCode() == -32602)
    }

    // MARK: Methods

    @Test(arguments: ["ping", "resources/subscribe", "completion/complete", "nonsense"])
    func unknownMethodIsNotFound(method: String) async throws {
        let server = makeServer()
        let reply = await post(server, modernHeaders(method: method), modernBody(id: 13, method: method))
        #expect(reply.status == 404)
        #expect(reply.contentType == "application/json")
        #expect(try reply.json()["id"] == 13)
        #expect(try reply.errorCode() == -32601)
    }

    @Test func initializeWithModernMetaIsNotFound() async throws {
        let server = makeServer()
        let reply = await post(
            server, modernHeaders(method: "initialize"),
            modernBody(method: "initialize", params: ["protocolVersion": "2025-11-25", "capabilities": [:]]))
        #expect(reply.status == 404)
        #expect(try reply.errorCode() == -32601)
        #expect(reply.sessionID == nil)
    }

    @Test func modernNotificationIsAccepted() async throws {
        let server = makeServer()
        let body: JSONValue = [
            "jsonrpc": "2.0", "method": "notifications/cancelled",
            "params": ["requestId": 1, "_meta": ["io.modelcontextprotocol/protocolVersion": "2026-07-28"]],
        ]
        let reply = await post(server, modernHeaders(method: "notifications/cancelled"), body.jsonBytes)
        #expect(reply.status == 202)
        #expect(reply.response.body.isEmpty)
    }

    // MARK: No sessions in this era

    @Test func getWithoutSessionIsMethodNotAllowed() {
        let server = makeServer()
        let reply = Reply(response: server.handleGet(headers: fields([("Accept", "text/event-stream")])))
        #expect(reply.status == 405)
        #expect(reply.response.headerFields[.allow] == "POST")
    }

    @Test func deleteWithoutSessionIsMethodNotAllowed() {
        let server = makeServer()
        let reply = Reply(response: server.handleDelete(headers: [:]))
        #expect(reply.status == 405)
        #expect(reply.response.headerFields[.allow] == "POST")
    }

    @Test func sessionHeaderIsIgnoredOnModernRequests() async throws {
        let server = makeServer()
        // A forged id: a legacy request would get 404, a modern one ignores it.
        let forged = await post(
            server, modernHeaders(method: "tools/list", extra: [("Mcp-Session-Id", "forged.session")]),
            modernBody(method: "tools/list"))
        #expect(forged.status == 200)
        #expect(forged.sessionID == nil)
        #expect(try forged.result()["resultType"] == "complete")

        // A genuine legacy id does not turn a modern request into a legacy one.
        let token = SessionSigner(secret: testSecret).mint(protocolVersion: "2025-11-25")
        let genuine = await post(
            server, modernHeaders(method: "tools/call", name: "alpha", extra: [("Mcp-Session-Id", token)]),
            modernBody(method: "tools/call", params: ["name": "alpha"]))
        #expect(genuine.status == 200)
        #expect(genuine.sessionID == nil)
        #expect(try genuine.result()["resultType"] == "complete")
    }

    @Test func eventStreamOnlyClientGetsSSE() async throws {
        let server = makeServer()
        let reply = await post(
            server, modernHeaders(method: "server/discover", accept: "text/event-stream"), modernBody(method: "server/discover"))
        #expect(reply.status == 200)
        #expect(reply.contentType == "text/event-stream")
        #expect(reply.response.headerFields[HTTPField.Name("X-Accel-Buffering")!] == "no")
        #expect(try reply.result()["supportedVersions"] == ["2026-07-28"])
    }

    @Test func errorsForEventStreamOnlyClientKeepTheirStatus() async throws {
        let server = makeServer()
        let reply = await post(
            server, modernHeaders(method: "tools/list", version: nil, accept: "text/event-stream"), modernBody(method: "tools/list"))
        #expect(reply.status == 400)
        #expect(try reply.errorCode() == -32020)
    }
}

@Suite("MCPServer, scopes")
struct MCPServerScopeTests {
    @Test func forbiddenToolIsA403WithTheChallenge() async throws {
        var configuration = makeServer().configuration
        configuration.insufficientScopeChallenge = { scopes in "Bearer error=\"insufficient_scope\", scope=\"\(scopes.joined(separator: " "))\"" }
        let server = MCPServer(configuration: configuration, tools: FakeTools())
        let body = modernBody(id: 5, method: "tools/call", params: ["name": "echo", "arguments": [:]])
        let reply = await post(server, modernHeaders(method: "tools/call", name: "echo"), body, caller: CallerIdentity(subject: "no-echo-scope"))
        #expect(reply.status == 403)
        #expect(reply.response.headerFields[.wwwAuthenticate] == "Bearer error=\"insufficient_scope\", scope=\"mcp echo:use\"")
        #expect(try reply.json()["id"] == 5)
        #expect(try reply.errorCode() == -32600)
        // Another caller is served.
        let allowed = await post(server, modernHeaders(method: "tools/call", name: "echo"), body, caller: CallerIdentity(subject: "anyone"))
        #expect(allowed.status == 200)
    }
}
