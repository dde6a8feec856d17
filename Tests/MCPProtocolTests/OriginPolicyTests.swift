import GatehouseJSON
import HTTPTypes
import Testing

@testable import MCPProtocol

private func withOrigin(_ origin: String?, _ base: HTTPFields = legacyHeaders()) -> HTTPFields {
    var headers = base
    if let origin { headers[.origin] = origin }
    return headers
}

/// The endpoint as the transport runs it: the origin check first, then the
/// handler (the gateway's origin middleware does exactly this).
private func guarded(_ server: MCPServer, _ headers: HTTPFields, _ handle: () async -> MCPHTTPResponse) async -> Reply {
    if let refusal = server.checkOrigin(headers) { return Reply(response: refusal) }
    return Reply(response: await handle())
}

private func guardedPost(_ server: MCPServer, _ headers: HTTPFields, _ body: [UInt8]) async -> Reply {
    await guarded(server, headers) { await server.handlePost(headers: headers, body: body) }
}

private func guardedPost(_ server: MCPServer, _ headers: HTTPFields, json: String) async -> Reply {
    await guardedPost(server, headers, Array(json.utf8))
}

private func guardedGet(_ server: MCPServer, _ headers: HTTPFields) async -> Reply {
    await guarded(server, headers) { server.handleGet(headers: headers) }
}

private func guardedDelete(_ server: MCPServer, _ headers: HTTPFields) async -> Reply {
    await guarded(server, headers) { server.handleDelete(headers: headers) }
}

@Suite("Origin validation")
struct OriginPolicyTests {
    static let foreign = ["https://evil.example", "http://localhost.evil.com", "http://127.0.0.1.nip.io", "null", "https://app.example.com:8443", "http://app.example.com"]

    @Test(arguments: foreign)
    func foreignOriginIsForbiddenOnPost(origin: String) async throws {
        let tools = FakeTools()
        let server = makeServer(tools: tools, origins: OriginPolicy(allowed: ["https://app.example.com"]))
        let reply = await guardedPost(server, withOrigin(origin), initializeBody())
        #expect(reply.status == 403)
        #expect(reply.contentType == "application/json")
        #expect(reply.sessionID == nil)
        #expect(try reply.errorCode() != nil)
    }

    @Test func foreignOriginIsForbiddenOnGetAndDelete() async throws {
        let server = makeServer()
        let token = try await openSession(server)
        let get = await guardedGet(server, withOrigin("https://evil.example", legacyHeaders(session: token)))
        #expect(get.status == 403)
        let getWithoutSession = await guardedGet(server, withOrigin("https://evil.example", [:]))
        #expect(getWithoutSession.status == 403)
        let delete = await guardedDelete(server, withOrigin("https://evil.example", legacyHeaders(session: token)))
        #expect(delete.status == 403)
        let deleteWithoutSession = await guardedDelete(server, withOrigin("https://evil.example", [:]))
        #expect(deleteWithoutSession.status == 403)
        // The refused DELETE did not end the session.
        let still = await post(server, legacyHeaders(session: token), legacyBody(method: "ping"))
        #expect(still.status == 200)
    }

    @Test func foreignOriginIsForbiddenOnModernAndSessionRequests() async throws {
        let tools = FakeTools()
        let server = makeServer(tools: tools)
        let modern = await guardedPost(
            server, withOrigin("https://evil.example", modernHeaders(method: "tools/call", name: "alpha")),
            modernBody(method: "tools/call", params: ["name": "alpha"]))
        #expect(modern.status == 403)
        let token = try await openSession(server)
        let legacy = await guardedPost(
            server, withOrigin("https://evil.example", legacyHeaders(session: token)),
            legacyBody(method: "tools/call", params: ["name": "alpha"]))
        #expect(legacy.status == 403)
        #expect(tools.log.all.isEmpty)
    }

    @Test func originIsCheckedBeforeAnythingElse() async throws {
        let server = makeServer()
        let reply = await guardedPost(server, withOrigin("https://evil.example", legacyHeaders(accept: "text/html", contentType: "text/plain")), json: "{")
        #expect(reply.status == 403)
    }

    @Test(arguments: ["https://app.example.com", "https://APP.example.com", "https://app.example.com/", " https://app.example.com"])
    func configuredOriginPasses(origin: String) async throws {
        let server = makeServer(origins: OriginPolicy(allowed: ["https://app.example.com"]))
        let reply = await guardedPost(server, withOrigin(origin), initializeBody())
        #expect(reply.status == 200)
        #expect(reply.sessionID != nil)
    }

    @Test(arguments: ["http://localhost", "http://localhost:3000", "https://localhost:6274", "http://127.0.0.1:8080", "http://[::1]:5173", "HTTP://LOCALHOST:3000"])
    func loopbackOriginsPassByDefault(origin: String) async throws {
        let server = makeServer()
        let reply = await guardedPost(server, withOrigin(origin), initializeBody())
        #expect(reply.status == 200)
        #expect((await guardedGet(server, withOrigin(origin, [:]))).status == 405)
    }

    @Test(arguments: ["http://localhost:3000", "http://127.0.0.1", "http://[::1]"])
    func loopbackOriginsCanBeRefused(origin: String) async throws {
        let server = makeServer(origins: OriginPolicy(allowLoopback: false))
        let reply = await guardedPost(server, withOrigin(origin), initializeBody())
        #expect(reply.status == 403)
    }

    @Test func requestsWithoutOriginPass() async throws {
        let server = makeServer(origins: OriginPolicy(allowed: [], allowLoopback: false))
        let reply = await guardedPost(server, withOrigin(nil), initializeBody())
        #expect(reply.status == 200)
        #expect((await guardedGet(server, [:])).status == 405)
        #expect((await guardedDelete(server, [:])).status == 405)
    }

    @Test(arguments: ["https://evil.example", "null", "http://anything:1234"])
    func starAllowsEveryOrigin(origin: String) async throws {
        let policy = OriginPolicy(allowed: ["*"])
        #expect(policy.allowAny)
        let server = makeServer(origins: policy)
        let reply = await guardedPost(server, withOrigin(origin), initializeBody())
        #expect(reply.status == 200)
        #expect((await guardedGet(server, withOrigin(origin, [:]))).status == 405)
    }

    @Test func policyDecisions() {
        let policy = OriginPolicy(allowed: ["https://a.example/", "HTTPS://B.EXAMPLE:8443"])
        #expect(policy.allows(nil))
        #expect(policy.allows("https://a.example"))
        #expect(policy.allows("https://b.example:8443"))
        #expect(!policy.allows("https://b.example"))
        #expect(!policy.allows("https://c.example"))
        #expect(!policy.allows(""))
        #expect(policy.allows("http://localhost:1"))
        #expect(OriginPolicy(allowAny: true).allows("https://c.example"))
        #expect(!OriginPolicy(allowLoopback: false).allows("http://localhost"))
    }
}
