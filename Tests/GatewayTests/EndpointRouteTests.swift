import Foundation
import GatehouseJSON
import GatehouseTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MCPProtocol
import OAuthTestSupport
import Testing

@testable import Gateway

/// Endpoints for audiences, over HTTP: each a view of the catalogue, each
/// its own protected resource.
@Suite("Endpoints per audience")
struct EndpointRouteTests {
    static let endpoints = """
        endpoints:
          research:
            title: Research (read-only)
            read_only: true
          writers:
            tools: ["write_*"]
            scopes: [tickets:write]
        """

    static func list(_ client: some TestClientProtocol, at path: String, authorization: String? = nil) async throws -> TestResponse {
        try await client.execute(
            uri: path, method: .post, headers: AuthFixture.headers(method: "tools/list", authorization: authorization),
            body: modernRequest(method: "tools/list"))
    }

    static func names(_ response: TestResponse) throws -> [String] {
        (try response.json()["result"]?["tools"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
    }

    @Test func eachEndpointServesItsViewAndOnlyIt() async throws {
        let upstream = ScriptedUpstream()
        try await withGateway(["tickets.yaml": AuthFixture.connector, "endpoints.yaml": Self.endpoints], upstream: upstream) { client, _ in
            #expect(try Self.names(try await Self.list(client, at: "/mcp")) == ["list_tickets", "my_tickets", "write_ticket"])
            #expect(try Self.names(try await Self.list(client, at: "/mcp/research")) == ["list_tickets", "my_tickets"])
            #expect(try Self.names(try await Self.list(client, at: "/mcp/writers")) == ["write_ticket"])
            let missing = try await Self.list(client, at: "/mcp/nope")
            #expect(missing.status == .notFound)
            // A tool outside the view cannot be called through it.
            let call = try await client.execute(
                uri: "/mcp/research", method: .post, headers: mcpHeaders(method: "tools/call", name: "write_ticket"),
                body: AuthFixture.call("write_ticket", ["title": "x"]))
            #expect(try call.json()["error"]?["message"]?.stringValue?.contains("Unknown tool") == true)
            #expect(upstream.requests.isEmpty)
            // The descriptor carries its fingerprint.
            let tools = try await Self.list(client, at: "/mcp/research").json()["result"]?["tools"]?.arrayValue ?? []
            #expect(tools.allSatisfy { $0["_meta"]?["dev.gatehouse/fingerprint"]?.stringValue?.hasPrefix("sha256:") == true })
        }
    }

    @Test func statusListsEndpointsFingerprintsAndTheLock() async throws {
        try await withGateway(["tickets.yaml": AuthFixture.connector, "endpoints.yaml": Self.endpoints]) { client, gateway in
            let status = try await client.execute(uri: "/status", method: .get).json()
            #expect(status["lock"] == "absent")
            let endpoints = try #require(status["endpoints"]?.arrayValue)
            #expect(endpoints.map { $0["path"] } == ["/mcp/research", "/mcp/writers"])
            #expect(endpoints[0]["tools"] == ["list_tickets", "my_tickets"])
            let tools = try #require(status["tool_fingerprints"]?.arrayValue)
            #expect(tools.count == 3)
            #expect(tools.first?["fingerprint"]?.stringValue == gateway.store.catalog.tools.first?.fingerprint)
            #expect(tools.first?["changed_at"]?.stringValue != nil)
        }
    }

    @Test func aChangeReachesOnlyTheEndpointsWhoseListChanged() async throws {
        let folder = try TemporaryFolder(["tickets.yaml": AuthFixture.connector, "endpoints.yaml": Self.endpoints])
        let gateway = try makeTestGateway(folder: folder.path)
        let research = try #require(gateway.endpoints.endpoint(named: "research")).server.events.subscribe()
        let writers = try #require(gateway.endpoints.endpoint(named: "writers")).server.events.subscribe()
        let main = gateway.server.events.subscribe()
        try folder.write("tickets.yaml", AuthFixture.connector.replacingOccurrences(of: "Open a ticket.", with: "Open a new ticket."))
        let outcome = try gateway.reload(reason: "change")
        #expect(outcome.changes.map(\.tool) == ["write_ticket"])
        #expect(outcome.changedEndpoints == ["writers"])
        gateway.server.events.shutDown()
        gateway.endpoints.shutDown()
        func events(_ stream: AsyncStream<ServerEvent>) async -> [ServerEvent] {
            var seen: [ServerEvent] = []
            for await event in stream { seen.append(event) }
            return seen
        }
        #expect(await events(main) == [.toolsListChanged, .shutdown])
        #expect(await events(writers) == [.toolsListChanged, .shutdown])
        #expect(await events(research) == [.shutdown])
    }

    @Test func anEndpointKeepsWhatItRemembersWhenItsDefinitionChanges() async throws {
        let folder = try TemporaryFolder(["tickets.yaml": AuthFixture.connector, "endpoints.yaml": Self.endpoints])
        let gateway = try makeTestGateway(folder: folder.path)
        let before = try #require(gateway.endpoints.endpoint(named: "research"))
        try folder.write("endpoints.yaml", Self.endpoints.replacingOccurrences(of: "Research (read-only)", with: "Research"))
        try gateway.reload(reason: "change")
        let after = try #require(gateway.endpoints.endpoint(named: "research"))
        #expect(after.server.configuration.serverTitle == "Research")
        #expect(after.server.spentStates === before.server.spentStates)
        #expect(after.server.questions === before.server.questions)
        #expect(after.server.revocations === before.server.revocations)
        #expect(after.server.events === before.server.events)
    }

    // MARK: Protected resources

    static let tokenFolder = ["tickets.yaml": AuthFixture.connector, "endpoints.yaml": endpoints]

    @Test func eachEndpointIsItsOwnProtectedResource() async throws {
        let folder = try TemporaryFolder(Self.tokenFolder)
        let fixture = try await AuthFixture.SignedIn(upstream: ScriptedUpstream())
        _ = fixture
        // The verifier the gateway builds itself: it learns the endpoints' audiences.
        let gateway = try AuthFixture.gateway(folder: folder.path, upstream: ScriptedUpstream(), http: fixture.http, injectVerifier: false)
        try await Application(router: gateway.router()).test(.router) { client in
            for path in ["/.well-known/oauth-protected-resource/mcp/research", "/mcp/research/.well-known/oauth-protected-resource"] {
                let metadata = try await client.execute(uri: path, method: .get).json()
                #expect(metadata["resource"] == .string(AuthFixture.publicURL + "/mcp/research"), "\(path)")
                #expect(metadata["resource_name"] == "Research (read-only)")
            }
            #expect(try await client.execute(uri: "/.well-known/oauth-protected-resource/mcp/nope", method: .get).status == .notFound)
            let challenge = try await Self.list(client, at: "/mcp/research")
            #expect(challenge.status == .unauthorized)
            #expect(challenge.headers[.wwwAuthenticate]?.contains(
                "resource_metadata=\"\(AuthFixture.publicURL)/.well-known/oauth-protected-resource/mcp/research\"") == true)

            let forResearch = "Bearer " + (try AuthFixture.token(
                fixture.keys, AuthFixture.claims(aud: .string(AuthFixture.publicURL + "/mcp/research"), scope: "tickets:write")))
            let forMain = "Bearer " + (try AuthFixture.token(fixture.keys, AuthFixture.claims(scope: "tickets:write")))
            #expect(try await Self.list(client, at: "/mcp/research", authorization: forResearch).status == .ok)
            #expect(try await Self.list(client, at: "/mcp", authorization: forResearch).status == .unauthorized)
            #expect(try await Self.list(client, at: "/mcp/research", authorization: forMain).status == .unauthorized)
            #expect(try await Self.list(client, at: "/mcp", authorization: forMain).status == .ok)

            // An endpoint's scopes are needed for anything there.
            let writersAudience = JSONValue.string(AuthFixture.publicURL + "/mcp/writers")
            let withoutScope = "Bearer " + (try AuthFixture.token(fixture.keys, AuthFixture.claims(aud: writersAudience)))
            let refused = try await Self.list(client, at: "/mcp/writers", authorization: withoutScope)
            #expect(refused.status == .forbidden)
            #expect(refused.headers[.wwwAuthenticate]?.contains("insufficient_scope") == true)
            let withScope = "Bearer " + (try AuthFixture.token(fixture.keys, AuthFixture.claims(aud: writersAudience, scope: "tickets:write")))
            #expect(try Self.names(try await Self.list(client, at: "/mcp/writers", authorization: withScope)) == ["write_ticket"])
        }
    }

    @Test func theBuiltInServerIssuesATokenPerEndpoint() async throws {
        let folder = try TemporaryFolder(Self.tokenFolder)
        try await BuiltInHarness.run(folder: folder.path) { harness, client in
            let research = BuiltInHarness.publicURL + "/mcp/research"
            let (clientID, code) = try await harness.signIn(client, resource: research)
            // The code was for research: it cannot become a token for /mcp.
            let wrong = try await harness.exchange(client, clientID: clientID, code: code, resource: BuiltInHarness.resource)
            #expect(wrong.status == .badRequest)
            #expect(try wrong.json()["error"] == "invalid_target")
            let (clientID2, code2) = try await harness.signIn(client, resource: research)
            let tokens = try await harness.exchange(client, clientID: clientID2, code: code2, resource: research).json()
            let access = try #require(tokens["access_token"]?.stringValue)
            let refresh = try #require(tokens["refresh_token"]?.stringValue)
            #expect(try Self.names(try await Self.list(client, at: "/mcp/research", authorization: "Bearer \(access)")) == [
                "list_tickets", "my_tickets",
            ])
            #expect(try await Self.list(client, at: "/mcp", authorization: "Bearer \(access)").status == .unauthorized)
            // A refresh stays with the endpoint it was issued for.
            let moved = try await client.execute(
                uri: "/token", method: .post, headers: BuiltInHarness.formHeaders,
                body: BuiltInHarness.form([
                    ("grant_type", "refresh_token"), ("refresh_token", refresh), ("client_id", clientID2), ("resource", BuiltInHarness.resource),
                ]))
            #expect(try moved.json()["error"] == "invalid_target")
            // Nothing is issued for a resource this server does not serve.
            let page = try await client.execute(
                uri: BuiltInHarness.authorizeURI(client: clientID2, resource: BuiltInHarness.publicURL + "/mcp/unknown"), method: .get)
            #expect(page.headers[.location]?.contains("invalid_target") == true)
        }
    }

    // MARK: Confirmations through the gateway

    static let confirming = """
        connector: tickets
        base_url: https://tickets.example.test/api
        confirm: destructive
        tools:
          - name: delete_ticket
            description: Deletes a ticket.
            method: DELETE
            path: /tickets/{id}
            confirm: "Delete ticket {{ id }}?"
            parameters: { id: { type: integer, required: true } }
          - name: list_tickets
            description: Lists tickets.
            path: /tickets
        """

    static func call(
        _ client: some TestClientProtocol, capabilities: JSONValue = ["elicitation": [:]], extra: JSONObject = [:]
    ) async throws -> JSONValue {
        var params: JSONObject = ["name": "delete_ticket", "arguments": ["id": 7]]
        for (key, value) in extra { params[key] = value }
        var body = try JSONParser.parse(Array(modernRequest(method: "tools/call", params: params).readableBytesView)).objectValue ?? [:]
        var meta = body["params"]?["_meta"]?.objectValue ?? [:]
        meta["io.modelcontextprotocol/clientCapabilities"] = capabilities
        var bodyParams = body["params"]?.objectValue ?? [:]
        bodyParams["_meta"] = .object(meta)
        body["params"] = .object(bodyParams)
        let response = try await client.execute(
            uri: "/mcp", method: .post, headers: mcpHeaders(method: "tools/call", name: "delete_ticket"),
            body: ByteBuffer(bytes: JSONValue.object(body).jsonBytes))
        return try response.json()
    }

    static func answer(_ action: String) -> JSONValue {
        .object(["confirm": .object(["action": .string(action)])])
    }

    @Test func aConfirmedCallRunsAndADeclinedOneDoesNot() async throws {
        let upstream = ScriptedUpstream()
        let audit = AuditTrail()
        try await withGateway(["tickets.yaml": Self.confirming], upstream: upstream, audit: audit) { client, _ in
            let asked = try #require(try await Self.call(client)["result"])
            #expect(asked["resultType"] == "input_required")
            #expect(asked["inputRequests"]?["confirm"]?["params"]?["message"] == "Delete ticket 7?")
            let state: JSONValue = try #require(asked["requestState"])
            let decline: JSONObject = ["requestState": state, "inputResponses": Self.answer("decline")]
            let declined: JSONValue? = try await Self.call(client, extra: decline)["result"]
            #expect(declined?["isError"] == true)
            #expect(upstream.requests.isEmpty)

            let again: JSONValue = try #require(try await Self.call(client)["result"]?["requestState"])
            let accept: JSONObject = ["requestState": again, "inputResponses": Self.answer("accept")]
            let accepted: JSONValue? = try await Self.call(client, extra: accept)["result"]
            #expect(accepted?["isError"] == nil)
            #expect(upstream.requests.count == 1)
            #expect(audit.all.compactMap(\.confirmation) == ["asked", "declined", "asked", "accepted"])
        }
    }

    @Test func aClientThatCannotAskIsRefusedUnlessTheOperatorAllowsIt() async throws {
        let upstream = ScriptedUpstream()
        let audit = AuditTrail()
        try await withGateway(["tickets.yaml": Self.confirming], upstream: upstream, audit: audit) { client, _ in
            let refused = try await Self.call(client, capabilities: [:])["result"]
            #expect(refused?["isError"] == true)
            #expect(upstream.requests.isEmpty)
            #expect(audit.all.last?.confirmation == "unavailable")
        }
        try await withGateway(["tickets.yaml": Self.confirming], upstream: upstream, audit: audit, configure: { $0.confirmWithoutElicitation = true }) {
            client, _ in
            _ = try await Self.call(client, capabilities: [:])
            #expect(upstream.requests.count == 1)
            #expect(audit.all.last?.confirmation == "not_asked")
        }
    }
}

@Suite("Prompts over HTTP")
struct PromptRouteTests {
    static let connector = AuthFixture.connector + """

        prompts:
          - name: triage
            description: Triage a ticket.
            arguments: { id: { required: true } }
            messages:
              - text: "Look at ticket {{ id }}."
        """

    @Test func promptsAreListedFilledInAndReloaded() async throws {
        let folder = try TemporaryFolder(["tickets.yaml": Self.connector])
        let gateway = try makeTestGateway(folder: folder.path)
        try await Application(router: gateway.router()).test(.router) { client in
            let listed = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "prompts/list"), body: modernRequest(method: "prompts/list"))
            #expect(try listed.json()["result"]?["prompts"]?.arrayValue?.map { $0["name"] } == ["triage"])
            let got = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "prompts/get", name: "triage"),
                body: modernRequest(method: "prompts/get", params: ["name": "triage", "arguments": ["id": "7"]]))
            let result = try #require(try got.json()["result"])
            #expect(result["description"] == "Triage a ticket.")
            #expect(result["messages"] == [["role": "user", "content": ["type": "text", "text": "Look at ticket 7."]]])
            let discover = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "server/discover"), body: modernRequest(method: "server/discover"))
            #expect(try discover.json()["result"]?["capabilities"]?["prompts"] == ["listChanged": true])
        }
        let events = gateway.server.events.subscribe()
        try folder.write("tickets.yaml", AuthFixture.connector)
        let outcome = try gateway.reload(reason: "change")
        #expect(outcome.promptsChanged)
        gateway.server.events.shutDown()
        var seen: [ServerEvent] = []
        for await event in events { seen.append(event) }
        #expect(seen == [.promptsListChanged, .shutdown])
    }
}

@Suite("Resources over HTTP")
struct ResourceRouteTests {
    static let connector = AuthFixture.connector + """

        resources:
          - name: open_tickets
            uri: tickets://open
            title: Open tickets
            path: /tickets
            query: { state: open }
            response: { fields: [id] }
          - name: ticket
            uri_template: tickets://tickets/{id}
            path: /tickets/{id}
            parameters: { id: { type: integer } }
            scopes: [tickets:write]
        """

    static func post(_ client: some TestClientProtocol, _ method: String, name: String? = nil, params: JSONObject = [:]) async throws -> JSONValue {
        try await client.execute(
            uri: "/mcp", method: .post, headers: mcpHeaders(method: method, name: name), body: modernRequest(method: method, params: params)
        ).json()
    }

    @Test func resourcesAreListedAndReadThroughTheConnector() async throws {
        let upstream = ScriptedUpstream([.respond(.json(#"{"id":7,"secret":"x"}"#))])
        try await withGateway(["tickets.yaml": Self.connector], upstream: upstream) { client, _ in
            let listed = try await Self.post(client, "resources/list")
            #expect(listed["result"]?["resources"] == [["uri": "tickets://open", "name": "open_tickets", "title": "Open tickets"]])
            let templates = try await Self.post(client, "resources/templates/list")
            #expect(templates["result"]?["resourceTemplates"] == [["uriTemplate": "tickets://tickets/{id}", "name": "ticket"]])
            let read = try await Self.post(client, "resources/read", name: "tickets://open", params: ["uri": "tickets://open"])
            #expect(read["result"]?["contents"] == [["uri": "tickets://open", "mimeType": "application/json", "text": #"{"id":7}"#]])
            #expect(read["result"]?["ttlMs"] == 1234)
            #expect(read["result"]?["cacheScope"] == "public")
            #expect(upstream.requests.last?.url.hasSuffix("/tickets?state=open") == true)
            upstream.replaceScript([.respond(.json(#"{"message":"no such ticket"}"#, status: 404, reason: "Not Found"))])
            let missing = try await Self.post(client, "resources/read", name: "tickets://tickets/99", params: ["uri": "tickets://tickets/99"])
            #expect(missing["error"]?["code"] == -32602)
            #expect(upstream.requests.last?.url.hasSuffix("/tickets/99") == true)
            let unknown = try await Self.post(client, "resources/read", name: "other://x", params: ["uri": "other://x"])
            #expect(unknown["error"]?["message"] == "Resource not found")
            let discover = try await Self.post(client, "server/discover")
            #expect(discover["result"]?["capabilities"]?["resources"] == ["listChanged": true])
        }
    }

    @Test func scopesDecideWhoSeesAndReadsATemplate() async throws {
        let fixture = try await AuthFixture.SignedIn(upstream: ScriptedUpstream())
        try fixture.folder.write("tickets.yaml", Self.connector)
        try fixture.gateway.reload(reason: "change")
        try await Application(router: fixture.gateway.router()).test(.router) { client in
            let reader = "Bearer " + (try AuthFixture.token(fixture.keys, AuthFixture.claims()))
            let listed = try await client.execute(
                uri: "/mcp", method: .post, headers: AuthFixture.headers(method: "resources/templates/list", authorization: reader),
                body: modernRequest(method: "resources/templates/list")
            ).json()
            #expect(listed["result"]?["resourceTemplates"] == [])
            let read = try await client.execute(
                uri: "/mcp", method: .post,
                headers: AuthFixture.headers(method: "resources/read", name: "tickets://tickets/1", authorization: reader),
                body: modernRequest(method: "resources/read", params: ["uri": "tickets://tickets/1"]))
            #expect(read.status == .forbidden)
            #expect(fixture.upstream.requests.isEmpty)
        }
    }
}
