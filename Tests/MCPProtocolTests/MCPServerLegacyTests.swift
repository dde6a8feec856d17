import Foundation
import GatehouseJSON
import HTTPTypes
import Testing

@testable import MCPProtocol

/// Headers a 2025-era client sends once it has a session.
func legacyHeaders(
    session: String? = nil, version: String? = nil, accept: String? = bothAccept, contentType: String? = "application/json"
) -> HTTPFields {
    var pairs: [(String, String)] = []
    if let contentType { pairs.append(("Content-Type", contentType)) }
    if let accept { pairs.append(("Accept", accept)) }
    if let session { pairs.append(("Mcp-Session-Id", session)) }
    if let version { pairs.append(("MCP-Protocol-Version", version)) }
    return fields(pairs)
}

func legacyBody(id: JSONValue? = 1, method: String, params: JSONObject? = nil) -> [UInt8] {
    var object: JSONObject = ["jsonrpc": "2.0"]
    if let id { object["id"] = id }
    object["method"] = .string(method)
    if let params { object["params"] = .object(params) }
    return JSONValue.object(object).jsonBytes
}

func initializeBody(version: String = "2025-11-25", id: JSONValue = 0) -> [UInt8] {
    legacyBody(
        id: id, method: "initialize",
        params: [
            "protocolVersion": .string(version), "capabilities": [:],
            "clientInfo": ["name": "Anthropic/ClaudeAI", "version": "1.0.0"],
        ])
}

/// Runs `initialize` and returns the session id.
func openSession(_ server: MCPServer, version: String = "2025-11-25") async throws -> String {
    let reply = await post(server, legacyHeaders(), initializeBody(version: version))
    #expect(reply.status == 200)
    return try #require(reply.sessionID)
}

@Suite("MCPServer, legacy era (2025-03-26 … 2025-11-25)")
struct MCPServerLegacyTests {
    // MARK: initialize

    @Test(arguments: [
        ("2025-11-25", "2025-11-25"), ("2025-06-18", "2025-06-18"), ("2025-03-26", "2025-03-26"),
        ("2024-11-05", "2025-11-25"), ("2099-01-01", "2025-11-25"), ("2026-07-28", "2025-11-25"), ("garbage", "2025-11-25"),
    ])
    func initializeNegotiatesTheVersion(requested: String, negotiated: String) async throws {
        let server = makeServer()
        let reply = await post(server, legacyHeaders(), initializeBody(version: requested, id: 0))
        #expect(reply.status == 200)
        #expect(reply.contentType == "application/json")
        let message = try reply.json()
        #expect(message["id"] == 0)
        let result = try reply.result()
        #expect(result["protocolVersion"] == .string(negotiated))
        #expect(result["capabilities"]?["tools"]?.objectValue != nil)
        #expect(result["serverInfo"]?["name"] == "gatehouse-test")
        #expect(result["serverInfo"]?["version"] == "9.9.9")
        #expect(result["instructions"] == "Use the tools.")
        #expect(result["resultType"] == nil)
        let token = try #require(reply.sessionID)
        // Visible ASCII only (0x21–0x7E), as the 2025-11-25 transport requires.
        #expect(!token.isEmpty && token.utf8.allSatisfy { (0x21...0x7E).contains($0) })
        let session = try #require(SessionSigner(secret: testSecret).verify(token))
        #expect(session.protocolVersion == negotiated)
    }

    @Test func eachInitializeMintsADifferentSession() async throws {
        let server = makeServer()
        let one = try await openSession(server)
        let two = try await openSession(server)
        #expect(one != two)
    }

    @Test func initializeWithoutProtocolVersionIsInvalidParams() async throws {
        let server = makeServer()
        let reply = await post(server, legacyHeaders(), legacyBody(id: 1, method: "initialize", params: ["capabilities": [:]]))
        #expect(reply.status == 400)
        #expect(try reply.errorCode() == -32602)
        #expect(reply.sessionID == nil)
    }

    @Test func initializedNotificationIsAccepted() async throws {
        let server = makeServer()
        let token = try await openSession(server)
        let reply = await post(server, legacyHeaders(session: token, version: "2025-11-25"), legacyBody(id: nil, method: "notifications/initialized"))
        #expect(reply.status == 202)
        #expect(reply.response.body.isEmpty)
        #expect(reply.contentType == nil)
    }

    @Test func notificationWithUnknownSessionIsNotFound() async throws {
        let server = makeServer()
        let reply = await post(server, legacyHeaders(session: "forged.token"), legacyBody(id: nil, method: "notifications/initialized"))
        #expect(reply.status == 404)
    }

    @Test func pingAnswersAnEmptyObject() async throws {
        let server = makeServer()
        let token = try await openSession(server)
        let reply = await post(server, legacyHeaders(session: token), legacyBody(id: "p1", method: "ping"))
        #expect(reply.status == 200)
        #expect(try reply.json()["id"] == "p1")
        #expect(try reply.result() == [:])
    }

    // MARK: Tools

    @Test func toolsListOnASessionHasNoModernFields() async throws {
        let server = makeServer()
        let token = try await openSession(server)
        let reply = await post(server, legacyHeaders(session: token, version: "2025-11-25"), legacyBody(id: 2, method: "tools/list"))
        #expect(reply.status == 200)
        #expect(reply.sessionID == nil)
        let result = try reply.result()
        #expect(toolNames(result) == FakeTools.names)
        #expect(result["resultType"] == nil)
        #expect(result["ttlMs"] == nil)
        #expect(result["cacheScope"] == nil)
        #expect(result["_meta"] == nil)
        #expect(result["nextCursor"] == nil)
    }

    @Test func legacyPaginationCoversEveryToolOnce() async throws {
        let server = makeServer(pageSize: 2)
        let token = try await openSession(server)
        var seen: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let params: JSONObject? = cursor.map { ["cursor": .string($0)] }
            let reply = await post(server, legacyHeaders(session: token), legacyBody(method: "tools/list", params: params))
            let result = try reply.result()
            seen += toolNames(result)
            cursor = result["nextCursor"]?.stringValue
            pages += 1
        } while cursor != nil && pages < 10
        #expect(pages == 3)
        #expect(seen == FakeTools.names)
    }

    @Test func toolsCallOnASessionUsesTheNegotiatedVersion() async throws {
        let tools = FakeTools()
        let server = makeServer(tools: tools)
        let token = try await openSession(server, version: "2025-06-18")
        let reply = await post(
            server, legacyHeaders(session: token, version: "2025-06-18"),
            legacyBody(id: 3, method: "tools/call", params: ["name": "delta", "arguments": ["q": "x"]]))
        #expect(reply.status == 200)
        let result = try reply.result()
        #expect(result["content"] == [["type": "text", "text": #"delta ran with {"q":"x"}"#]])
        #expect(result["resultType"] == nil)
        #expect(result["_meta"] == nil)
        let call = try #require(tools.log.all.first)
        #expect(call.era == .legacy)
        #expect(call.protocolVersion == "2025-06-18")
        #expect(call.requestID == .int(3))
    }

    @Test func unknownToolOnASessionIsInvalidParams() async throws {
        let server = makeServer()
        let token = try await openSession(server)
        let reply = await post(server, legacyHeaders(session: token), legacyBody(method: "tools/call", params: ["name": "nope"]))
        #expect(reply.status == 200)
        #expect(try reply.errorCode() == -32602)
    }

    @Test func unknownMethodOnASessionIsMethodNotFound() async throws {
        let server = makeServer()
        let token = try await openSession(server)
        let reply = await post(server, legacyHeaders(session: token), legacyBody(id: 8, method: "resources/subscribe"))
        #expect(try reply.json()["id"] == 8)
        #expect(try reply.errorCode() == -32601)
    }

    // MARK: Sessions

    @Test(arguments: ["tools/list", "tools/call", "ping"])
    func requestWithoutSessionIsBadRequest(method: String) async throws {
        let tools = FakeTools()
        let server = makeServer(tools: tools)
        let reply = await post(server, legacyHeaders(), legacyBody(id: 4, method: method, params: ["name": "alpha"]))
        #expect(reply.status == 400)
        #expect(try reply.json()["id"] == 4)
        #expect(try reply.errorCode() == -32600)
        #expect(tools.log.all.isEmpty)
    }

    @Test func discoverWithoutSessionOrMetaIsInvalidParams() async throws {
        let server = makeServer()
        let reply = await post(server, legacyHeaders(), legacyBody(method: "server/discover"))
        #expect(reply.status == 400)
        #expect(try reply.errorCode() == -32602)
    }

    @Test(arguments: ["forged", "forged.session", "a.b.c", "", "eyJ9.eyJ9"])
    func forgedSessionIsNotFound(token: String) async throws {
        let server = makeServer()
        let reply = await post(server, legacyHeaders(session: token), legacyBody(id: 5, method: "tools/list"))
        #expect(reply.status == 404)
        #expect(try reply.json()["id"] == 5)
        #expect(try reply.errorCode() == -32001)
    }

    @Test func tamperedSessionIsNotFound() async throws {
        let server = makeServer()
        let token = try await openSession(server)
        var bytes = Array(token.utf8)
        bytes[3] = bytes[3] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let tampered = String(decoding: bytes, as: UTF8.self)
        let reply = await post(server, legacyHeaders(session: tampered), legacyBody(method: "tools/list"))
        #expect(reply.status == 404)
    }

    @Test func expiredSessionIsNotFound() async throws {
        let server = makeServer()
        let old = SessionSigner(secret: testSecret).mint(protocolVersion: "2025-11-25", now: Date().addingTimeInterval(-2 * 24 * 3600))
        let reply = await post(server, legacyHeaders(session: old), legacyBody(method: "tools/list"))
        #expect(reply.status == 404)
    }

    @Test func deleteEndsTheSession() async throws {
        let server = makeServer()
        let token = try await openSession(server)
        let other = try await openSession(server)

        let deleted = Reply(response: server.handleDelete(headers: legacyHeaders(session: token)))
        #expect(deleted.status == 200)

        let after = await post(server, legacyHeaders(session: token), legacyBody(method: "tools/list"))
        #expect(after.status == 404)
        #expect(try after.errorCode() == -32001)
        #expect(Reply(response: server.handleDelete(headers: legacyHeaders(session: token))).status == 404)
        #expect(Reply(response: server.handleGet(headers: legacyHeaders(session: token))).status == 404)
        let notification = await post(server, legacyHeaders(session: token), legacyBody(id: nil, method: "notifications/initialized"))
        #expect(notification.status == 404)

        // Other sessions live on.
        let untouched = await post(server, legacyHeaders(session: other), legacyBody(method: "tools/list"))
        #expect(untouched.status == 200)
    }

    @Test func getOnAValidSessionOpensTheNotificationStream() async throws {
        let server = makeServer()
        let token = try await openSession(server)
        let reply = Reply(response: server.handleGet(headers: legacyHeaders(session: token, accept: "text/event-stream")))
        #expect(reply.status == 200)
        #expect(reply.contentType == "text/event-stream")
        #expect(reply.response.stream != nil)
        server.events.shutDown()
    }

    @Test func deleteWithForgedSessionIsNotFound() {
        let server = makeServer()
        #expect(Reply(response: server.handleDelete(headers: legacyHeaders(session: "nope.nope"))).status == 404)
    }

    @Test func sessionsWorkAcrossReplicasSharingTheSecret() async throws {
        let replicaA = makeServer()
        let replicaB = makeServer()
        let token = try await openSession(replicaA, version: "2025-06-18")
        let tools = FakeTools()
        let replicaBWithLog = makeServer(tools: tools)
        let reply = await post(replicaB, legacyHeaders(session: token), legacyBody(method: "tools/list"))
        #expect(reply.status == 200)
        #expect(toolNames(try reply.result()) == FakeTools.names)
        let call = await post(
            replicaBWithLog, legacyHeaders(session: token), legacyBody(method: "tools/call", params: ["name": "echo"]))
        #expect(call.status == 200)
        #expect(tools.log.all.first?.protocolVersion == "2025-06-18")
    }

    @Test func sessionsDoNotWorkOnAReplicaWithAnotherSecret() async throws {
        let replicaA = makeServer()
        let stranger = makeServer(secret: Array("another-secret".utf8))
        let token = try await openSession(replicaA)
        let reply = await post(stranger, legacyHeaders(session: token), legacyBody(method: "tools/list"))
        #expect(reply.status == 404)
        #expect(try reply.errorCode() == -32001)
    }

    // MARK: MCP-Protocol-Version on a session

    @Test(arguments: ["2026-07-28", "2025-03-26", "2025-06-18"])
    func knownButDisagreeingVersionHeaderIsStillServed(header: String) async throws {
        // Claude has been seen sending 2026-07-28 on a 2025-11-25 session.
        let server = makeServer()
        let token = try await openSession(server, version: "2025-11-25")
        let reply = await post(server, legacyHeaders(session: token, version: header), legacyBody(method: "tools/list"))
        #expect(reply.status == 200)
        let result = try reply.result()
        #expect(toolNames(result) == FakeTools.names)
        #expect(result["resultType"] == nil, "the negotiated (legacy) version wins")
    }

    @Test(arguments: ["2099-01-01", "latest", "2025-11-26"])
    func unknownVersionHeaderIsBadRequest(header: String) async throws {
        let server = makeServer()
        let token = try await openSession(server)
        let reply = await post(server, legacyHeaders(session: token, version: header), legacyBody(id: 6, method: "tools/list"))
        #expect(reply.status == 400)
        #expect(try reply.json()["id"] == 6)
        #expect(try reply.errorCode() == -32600)
    }

    @Test func discoverOnALegacySessionIsAnswered() async throws {
        let server = makeServer(ttl: 777)
        let token = try await openSession(server)
        let reply = await post(server, legacyHeaders(session: token, version: "2026-07-28"), legacyBody(method: "server/discover"))
        #expect(reply.status == 200)
        let result = try reply.result()
        #expect(result["supportedVersions"] == ["2026-07-28"])
        #expect(result["capabilities"]?["tools"]?.objectValue != nil)
        #expect(result["resultType"] == "complete")
        #expect(result["ttlMs"] == 777)
        #expect(result["_meta"]?[serverInfoKey]?["name"] == "gatehouse-test")
    }

    // MARK: Accept and Content-Type

    @Test(arguments: ["*/*", "application/json", "application/*", "application/json, text/event-stream", "text/event-stream, application/json;q=0.9"])
    func jsonAcceptingClientsGetJSON(accept: String) async throws {
        let server = makeServer()
        let reply = await post(server, legacyHeaders(accept: accept), initializeBody())
        #expect(reply.status == 200)
        #expect(reply.contentType == "application/json")
        #expect(reply.response.body.first == UInt8(ascii: "{"))
        #expect(try reply.result()["protocolVersion"] == "2025-11-25")
    }

    @Test func missingAcceptIsServedAsJSON() async throws {
        let server = makeServer()
        let reply = await post(server, legacyHeaders(accept: nil), initializeBody())
        #expect(reply.status == 200)
        #expect(reply.contentType == "application/json")
    }

    @Test func eventStreamOnlyClientsGetSSE() async throws {
        let server = makeServer()
        let reply = await post(server, legacyHeaders(accept: "text/event-stream"), initializeBody())
        #expect(reply.status == 200)
        #expect(reply.contentType == "text/event-stream")
        #expect(reply.response.headerFields[.cacheControl] == "no-cache")
        #expect(reply.response.headerFields[HTTPField.Name("X-Accel-Buffering")!] == "no")
        #expect(reply.text.hasPrefix("event: message\ndata: {"))
        #expect(reply.text.hasSuffix("}\n\n"))
        #expect(reply.sessionID != nil)
        #expect(try reply.result()["protocolVersion"] == "2025-11-25")
    }

    @Test(arguments: ["text/html", "image/png", "application/json;q=0", "application/xml, text/plain"])
    func unacceptableAcceptIsNotAcceptable(accept: String) async throws {
        let server = makeServer()
        let reply = await post(server, legacyHeaders(accept: accept), initializeBody())
        #expect(reply.status == 406)
        #expect(reply.sessionID == nil)
    }

    @Test(arguments: ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
    func nonJSONContentTypeIsUnsupportedMediaType(contentType: String) async throws {
        let server = makeServer()
        let reply = await post(server, legacyHeaders(contentType: contentType), initializeBody())
        #expect(reply.status == 415)
        #expect(reply.sessionID == nil)
    }

    @Test(arguments: ["application/json", "application/json; charset=utf-8", "Application/JSON"])
    func jsonContentTypesAreAccepted(contentType: String) async throws {
        let server = makeServer()
        let reply = await post(server, legacyHeaders(contentType: contentType), initializeBody())
        #expect(reply.status == 200)
    }

    // MARK: Malformed messages

    @Test(arguments: ["{", "", "{\"jsonrpc\":\"2.0\",}", "nul", "{\"a\":1}{\"b\":2}", "\u{FEFF}{}"])
    func malformedJSONIsParseError(body: String) async throws {
        let server = makeServer()
        let reply = await post(server, legacyHeaders(), json: body)
        #expect(reply.status == 400)
        #expect(reply.contentType == "application/json")
        #expect(try reply.errorCode() == -32700)
    }

    @Test func batchIsInvalidRequest() async throws {
        let server = makeServer()
        let reply = await post(
            server, legacyHeaders(),
            json: #"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"ping"}]"#)
        #expect(reply.status == 400)
        #expect(try reply.errorCode() == -32600)
    }

    @Test(arguments: ["1", "\"text\"", "null", "true"])
    func nonObjectMessageIsInvalidRequest(body: String) async throws {
        let server = makeServer()
        let reply = await post(server, legacyHeaders(), json: body)
        #expect(reply.status == 400)
        #expect(try reply.errorCode() == -32600)
    }

    @Test func missingJSONRPCMemberIsInvalidRequest() async throws {
        let server = makeServer()
        let reply = await post(server, legacyHeaders(), json: #"{"id":7,"method":"initialize","params":{"protocolVersion":"2025-11-25"}}"#)
        #expect(reply.status == 400)
        #expect(try reply.json()["id"] == 7)
        #expect(try reply.errorCode() == -32600)
        #expect(reply.sessionID == nil)
    }

    @Test func wrongJSONRPCVersionIsInvalidRequest() async throws {
        let server = makeServer()
        let reply = await post(server, legacyHeaders(), json: #"{"jsonrpc":"1.0","id":1,"method":"ping"}"#)
        #expect(reply.status == 400)
        #expect(try reply.errorCode() == -32600)
    }

    @Test(arguments: ["null", "{}", "[1]", "1.5", "true"])
    func idThatIsNotAStringOrIntegerIsInvalidRequest(id: String) async throws {
        let server = makeServer()
        let reply = await post(server, legacyHeaders(), json: #"{"jsonrpc":"2.0","id":\#(id),"method":"initialize","params":{"protocolVersion":"2025-11-25"}}"#)
        #expect(reply.status == 400)
        #expect(try reply.errorCode() == -32600)
        #expect(reply.sessionID == nil)
    }

    @Test(arguments: [#"[1,2]"#, #""text""#, "5"])
    func paramsThatAreNotAnObjectAreInvalidParams(params: String) async throws {
        let server = makeServer()
        let reply = await post(server, legacyHeaders(), json: #"{"jsonrpc":"2.0","id":"x","method":"initialize","params":\#(params)}"#)
        #expect(reply.status == 400)
        #expect(try reply.json()["id"] == "x")
        #expect(try reply.errorCode() == -32602)
    }

    @Test(arguments: [#"{"jsonrpc":"2.0","id":1}"#, #"{"jsonrpc":"2.0","id":1,"method":""}"#, #"{"jsonrpc":"2.0","id":1,"method":5}"#, #"{"jsonrpc":"2.0","result":{}}"#])
    func missingOrEmptyMethodIsInvalidRequest(body: String) async throws {
        let server = makeServer()
        let reply = await post(server, legacyHeaders(), json: body)
        #expect(reply.status == 400)
        #expect(try reply.errorCode() == -32600)
    }

    @Test(arguments: [
        #"{"jsonrpc":"2.0","id":1,"result":{}}"#, #"{"jsonrpc":"2.0","id":"s-1","result":{"roots":[]}}"#,
        #"{"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"no"}}"#,
    ])
    func clientResponsesAreAccepted(body: String) async throws {
        let server = makeServer()
        let reply = await post(server, legacyHeaders(), json: body)
        #expect(reply.status == 202)
        #expect(reply.response.body.isEmpty)
    }

    @Test func integralDoubleIdIsEchoedAsAnInteger() async throws {
        let server = makeServer()
        let reply = await post(server, legacyHeaders(), json: #"{"jsonrpc":"2.0","id":42.0,"method":"initialize","params":{"protocolVersion":"2025-11-25"}}"#)
        #expect(reply.status == 200)
        #expect(reply.text.contains(#""id":42,"#))
    }
}
