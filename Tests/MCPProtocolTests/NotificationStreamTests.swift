import GatehouseJSON
import HTTPTypes
import Testing

@testable import MCPProtocol

/// Reads the SSE events of a streaming reply until `count` JSON messages
/// arrived (keep-alive comments are skipped).
func messages(of response: MCPHTTPResponse, count: Int) async throws -> [JSONValue] {
    var text = String(decoding: response.body, as: UTF8.self)
    var found = sseMessages(text)
    if found.count >= count { return Array(found.prefix(count)) }
    let stream = try #require(response.stream)
    for await chunk in stream {
        text += String(decoding: chunk, as: UTF8.self)
        found = sseMessages(text)
        if found.count >= count { break }
    }
    return found
}

func sseMessages(_ text: String) -> [JSONValue] {
    text.components(separatedBy: "\n").compactMap { line in
        guard line.hasPrefix("data: ") else { return nil }
        return try? JSONParser.parse(String(line.dropFirst("data: ".count)))
    }
}

@Suite("Notification streams")
struct NotificationStreamTests {
    @Test func legacyStreamCarriesToolListChanges() async throws {
        let server = makeServer()
        let token = try await openSession(server)
        let response = server.handleGet(headers: legacyHeaders(session: token, accept: "text/event-stream"))
        #expect(response.status == .ok)
        #expect(String(decoding: response.body, as: UTF8.self).hasPrefix(":"))
        // The subscription exists as soon as the response is built.
        #expect(server.events.subscriberCount == 1)
        server.events.publish(.keepAlive)
        server.events.publish(.toolsListChanged)
        let received = try await messages(of: response, count: 1)
        #expect(received == [["jsonrpc": "2.0", "method": "notifications/tools/list_changed"]])
        server.events.shutDown()
    }

    @Test func legacyStreamEndsOnShutdown() async throws {
        let server = makeServer()
        let token = try await openSession(server)
        let response = server.handleGet(headers: legacyHeaders(session: token, accept: "text/event-stream"))
        server.events.shutDown()
        var chunks = 0
        for await _ in try #require(response.stream) { chunks += 1 }
        #expect(chunks == 0)
        #expect(server.events.subscriberCount == 0)
    }

    @Test func legacyStreamNeedsEventStreamAccept() async throws {
        let server = makeServer()
        let token = try await openSession(server)
        let response = server.handleGet(headers: legacyHeaders(session: token, accept: "application/json"))
        #expect(response.status == .notAcceptable)
    }

    @Test func listenAcknowledgesThenNotifies() async throws {
        let server = makeServer()
        let body = modernBody(
            id: 7, method: "subscriptions/listen",
            params: ["notifications": ["toolsListChanged": true, "promptsListChanged": true, "resourcesListChanged": true, "tasksChanged": true]])
        let reply = await post(server, modernHeaders(method: "subscriptions/listen"), body)
        #expect(reply.status == 200)
        #expect(reply.contentType == "text/event-stream")
        server.events.publish(.toolsListChanged)
        let received = try await messages(of: reply.response, count: 2)
        let subscription: JSONValue = ["io.modelcontextprotocol/subscriptionId": 7]
        #expect(received[0]["method"] == "notifications/subscriptions/acknowledged")
        #expect(received[0]["params"]?["_meta"] == subscription)
        // Only what this server supports is acknowledged.
        #expect(received[0]["params"]?["notifications"] == ["toolsListChanged": true, "promptsListChanged": true, "resourcesListChanged": true])
        #expect(received[1] == ["jsonrpc": "2.0", "method": "notifications/tools/list_changed", "params": ["_meta": subscription]])
        server.events.shutDown()
    }

    @Test func listenWithoutToolsFilterGetsNoToolNotifications() async throws {
        let server = makeServer()
        let body = modernBody(id: "s", method: "subscriptions/listen", params: ["notifications": [:]])
        let reply = await post(server, modernHeaders(method: "subscriptions/listen"), body)
        server.events.publish(.toolsListChanged)
        server.events.shutDown()
        let received = try await messages(of: reply.response, count: 3)
        #expect(received.count == 2)
        #expect(received[0]["params"]?["notifications"] == [:])
        // Graceful closure: the listen request's own response ends the stream.
        #expect(received[1]["id"] == "s")
        #expect(received[1]["result"]?["resultType"] == "complete")
        #expect(received[1]["result"]?["_meta"]?["io.modelcontextprotocol/subscriptionId"] == "s")
    }

    @Test func listenWithoutFilterIsInvalidParams() async throws {
        let server = makeServer()
        let reply = await post(server, modernHeaders(method: "subscriptions/listen"), modernBody(method: "subscriptions/listen"))
        #expect(reply.status == 400)
        #expect(try reply.errorCode() == -32602)
    }

    @Test func streamsAfterShutdownEndAtOnce() async throws {
        let server = makeServer()
        server.events.shutDown()
        let body = modernBody(id: 1, method: "subscriptions/listen", params: ["notifications": ["toolsListChanged": true]])
        let reply = await post(server, modernHeaders(method: "subscriptions/listen"), body)
        let received = try await messages(of: reply.response, count: 5)
        #expect(received.count == 2)
        #expect(received[1]["result"]?["resultType"] == "complete")
    }

    @Test func capabilitiesAdvertiseListChanged() async throws {
        let server = makeServer()
        let reply = await post(server, modernHeaders(method: "server/discover"), modernBody(method: "server/discover"))
        #expect(try reply.json()["result"]?["capabilities"]?["tools"]?["listChanged"] == true)
    }
}
