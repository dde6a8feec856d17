import ConnectorModel
import Synchronization
import Testing

@testable import Upstream

/// The loop-bound client against a real server on 127.0.0.1 whose answers
/// the test scripts: what goes on the wire, which connections are reused,
/// and every way an exchange can end.
@Suite struct LoopBoundUpstreamClientTests {
    static func request(
        _ url: String, method: ConnectorModel.HTTPMethod = .GET, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
        timeout: Duration = .seconds(10), limit: Int = 1 << 20
    ) -> UpstreamRequest {
        UpstreamRequest(
            method: method, url: url, displayURL: url, headers: headers, body: body, timeout: timeout, maxResponseBytes: limit)
    }

    static let client = try! LoopBoundUpstreamClient(fallback: RecordingFallback())

    @Test func requestsGoOutAsWrittenAndKeepAliveConnectionsAreReused() async throws {
        let server = try await ScriptedHTTPServer { _ in .answer(headers: [("Content-Type", "application/json"), ("Link", "<next>; rel=\"next\"")]) }
        for index in 0..<5 {
            let response = try await Self.client.send(Self.request(
                server.base + "/items/\(index)?q=a%20b#fragment", headers: [("Authorization", "Bearer t"), ("X-Trace", "1")]))
            #expect(response.status == 200)
            #expect(response.contentType == "application/json")
            #expect(response.link == "<next>; rel=\"next\"")
            #expect(response.body == Array(#"{"ok":true}"#.utf8))
        }
        let received = server.received
        #expect(received.count == 5)
        #expect(received.map(\.head.uri) == (0..<5).map { "/items/\($0)?q=a%20b" })
        #expect(received[0].head.headers["host"] == ["127.0.0.1:\(server.port)"])
        #expect(received[0].head.headers["authorization"] == ["Bearer t"])
        #expect(received[0].head.headers["x-trace"] == ["1"])
        // Calls from one task land on the loops of the group in turn; each
        // loop opens at most one connection for calls made one at a time.
        #expect(server.connections <= 2, "connections were not reused: \(server.connections)")
        try await server.close()
    }

    @Test func aBodyIsSentWithItsLength() async throws {
        let server = try await ScriptedHTTPServer { _ in .answer() }
        let body = Array(#"{"name":"Widget"}"#.utf8)
        _ = try await Self.client.send(Self.request(server.base + "/items", method: .POST, headers: [("Content-Type", "application/json")], body: body))
        _ = try await Self.client.send(Self.request(server.base + "/items", method: .POST))
        let received = server.received
        #expect(received[0].head.method.rawValue == "POST")
        #expect(received[0].body == body)
        #expect(received[0].head.headers["content-length"] == [String(body.count)])
        #expect(received[1].head.headers["content-length"] == ["0"])
        try await server.close()
    }

    @Test func theUpstreamsStatusAndRetryAfterComeBack() async throws {
        let server = try await ScriptedHTTPServer { _ in .answer(status: .tooManyRequests, headers: [("Retry-After", "7")], body: []) }
        let response = try await Self.client.send(Self.request(server.base + "/"))
        #expect(response.status == 429)
        #expect(response.reason == "Too Many Requests")
        #expect(response.retryAfter == .seconds(7))
        try await server.close()
    }

    @Test func aBodyOverTheLimitIsRefusedAnnouncedOrNot() async throws {
        let big = [UInt8](repeating: 0x61, count: 100_000)
        let server = try await ScriptedHTTPServer { received in
            received.head.uri == "/announced" ? .answer(body: big) : .chunked(big)
        }
        for path in ["/announced", "/chunked"] {
            await #expect(throws: UpstreamFailure.responseTooLarge(limit: 50_000), "\(path)") {
                try await Self.client.send(Self.request(server.base + path, limit: 50_000))
            }
            #expect(try await Self.client.send(Self.request(server.base + path, limit: 100_000)).body == big, "\(path) at the limit")
        }
        try await server.close()
    }

    @Test func aSilentUpstreamTimesOutAndItsConnectionIsClosed() async throws {
        let server = try await ScriptedHTTPServer { _ in .silence }
        let started = ContinuousClock.now
        await #expect(throws: UpstreamFailure.timedOut(.milliseconds(300))) {
            try await Self.client.send(Self.request(server.base + "/hang", timeout: .milliseconds(300)))
        }
        #expect(ContinuousClock.now - started < .seconds(2))
        try await server.close()
    }

    @Test func aRefusedConnectionSaysSo() async throws {
        let server = try await ScriptedHTTPServer { _ in .answer() }
        let base = server.base
        try await server.close()
        await #expect(throws: UpstreamFailure.connectionFailed("connection refused")) {
            try await Self.client.send(Self.request(base + "/"))
        }
    }

    @Test func aConnectionTheUpstreamDropsIsRetriedOnlyForIdempotentRequests() async throws {
        // Every second request on a connection is dropped unanswered, as a
        // server that closed an idle connection just as it was reused.
        let server = try await ScriptedHTTPServer { received in received.index == 1 ? .answer() : .close }
        let client = try LoopBoundUpstreamClient(fallback: RecordingFallback())
        for _ in 0..<4 {
            #expect(try await client.send(Self.request(server.base + "/get")).status == 200)
        }
        #expect(server.received.filter { $0.index == 2 }.count >= 1, "the script never reused a connection")
        let posts = server.received.count
        var refused = 0
        for _ in 0..<4 {
            do {
                _ = try await client.send(Self.request(server.base + "/post", method: .POST, body: [1]))
            } catch {
                refused += 1
            }
        }
        #expect(refused >= 1, "a POST on a reused connection was sent twice")
        let sent = server.received.dropFirst(posts).filter { $0.head.method.rawValue == "POST" }.count
        #expect(sent == 4, "each POST reached the upstream exactly once")
        try await server.close()
    }

    @Test func anAnswerThatClosesTheConnectionIsNotReused() async throws {
        let server = try await ScriptedHTTPServer { _ in .answer(headers: [("Connection", "close")]) }
        for _ in 0..<3 { #expect(try await Self.client.send(Self.request(server.base + "/")).status == 200) }
        #expect(server.connections == 3)
        try await server.close()
    }

    @Test func aHeaderHTTPCannotCarryIsRefusedBeforeAnythingIsSent() async throws {
        let server = try await ScriptedHTTPServer { _ in .answer() }
        for header in [(name: "X-Note", value: "a\r\nInjected: yes"), (name: "Bad Name", value: "x")] {
            await #expect(throws: UpstreamFailure.self) {
                try await Self.client.send(Self.request(server.base + "/", headers: [header]))
            }
        }
        #expect(server.received.isEmpty)
        try await server.close()
    }

    @Test func aCancelledCallEndsAtOnce() async throws {
        let server = try await ScriptedHTTPServer { _ in .silence }
        let started = ContinuousClock.now
        let call = Task { try await Self.client.send(Self.request(server.base + "/hang", timeout: .seconds(30))) }
        try await Task.sleep(for: .milliseconds(200))
        call.cancel()
        await #expect(throws: UpstreamFailure.self) { try await call.value }
        #expect(ContinuousClock.now - started < .seconds(5))
        try await server.close()
    }

    /// A client that went away while its call waited for a thread: nothing
    /// is sent, and no promise is left behind (a debug build stops the
    /// process on a promise that is never completed).
    @Test func aCallWhoseCallerIsAlreadyGoneSendsNothing() async throws {
        let server = try await ScriptedHTTPServer { _ in .answer() }
        let gate = AsyncStream<Void>.makeStream()
        let call = Task {
            for await _ in gate.stream {}
            return try await Self.client.send(Self.request(server.base + "/late"))
        }
        call.cancel()
        gate.continuation.finish()
        await #expect(throws: UpstreamFailure.connectionFailed("cancelled")) { try await call.value }
        // A call after it still goes out: the pool is untouched.
        #expect(try await Self.client.send(Self.request(server.base + "/next")).status == 200)
        #expect(server.received.map(\.head.uri) == ["/next"])
        try await server.close()
    }

    @Test func otherSchemesGoToTheFallback() async throws {
        let fallback = RecordingFallback()
        let client = try LoopBoundUpstreamClient(fallback: fallback)
        // TLS cannot name an IP address (SNI), so `https` to one goes there too.
        let urls = ["https://10.0.0.1/items", "https://[::1]:8443/", "http://user:pass@api.example/", "ftp://api.example/"]
        for url in urls {
            _ = try await client.send(Self.request(url))
        }
        #expect(fallback.urls == urls)
    }
}

/// Where the loop-bound client sends what it does not speak.
final class RecordingFallback: UpstreamClient {
    private let sent = Mutex<[String]>([])

    var urls: [String] { sent.withLock { $0 } }

    func send(_ request: UpstreamRequest) async throws(UpstreamFailure) -> UpstreamResponse {
        sent.withLock { $0.append(request.url) }
        return UpstreamResponse(status: 200, contentType: nil, body: [])
    }
}
