import AuthorizationServer
import Configuration
import Foundation
import GatehouseJSON
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import OAuth
import OAuthTestSupport
import Synchronization
import GatehouseTesting
import Testing

@testable import Gateway

/// Keeps every authorization event, so tests can check the audit trail.
final class RecordingEvents: AuthorizationEventSink {
    private let events = Mutex<[AuthorizationEvent]>([])
    var all: [AuthorizationEvent] { events.withLock { $0 } }
    func record(_ event: AuthorizationEvent) { events.withLock { $0.append(event) } }
}

/// Hands out fixed addresses for metadata document hosts.
struct StaticHosts: HostResolver {
    func addresses(of host: String) async throws -> [String] { ["203.0.113.7"] }
}

/// Serves no metadata documents.
struct NoDocuments: MetadataDocumentFetcher {
    func fetch(_ url: String, maximumBytes: Int) async throws -> (status: Int, body: [UInt8], maxAge: Int?) { (404, [], nil) }
}

/// A gateway in built-in mode over HTTP, with the identity provider faked
/// at its HTTP seam and a real SQLite store.
struct BuiltInHarness {
    static let publicURL = "http://127.0.0.1:8080"
    static let resource = publicURL + "/mcp"
    static let provider = "http://127.0.0.1:4593/oidc"
    static let redirect = "http://127.0.0.1:33418/callback"
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    let gateway: Gateway
    let server: BuiltInAuthorizationServer
    let idp: FakeAuthHTTP
    let idpKey: SigningKey
    let events: RecordingEvents
    let upstream: ScriptedUpstream

    /// - Parameter outboundHTTP: lets the gateway's credential source reach
    ///   the fake provider too (token endpoints of connector files); by
    ///   default the gateway has no network at all.
    static func make(
        folder: String, registrationRate: String? = nil, settings extra: [AbsoluteConfigKey: ConfigValue] = [:],
        outboundHTTP: Bool = false
    ) async throws -> BuiltInHarness {
        var values: [AbsoluteConfigKey: ConfigValue] = [
            "gatehouse.auth": "builtin", "gatehouse.public.url": .init(.string(publicURL), isSecret: false),
            "gatehouse.auth.upstream.issuer": .init(.string(provider), isSecret: false),
            "gatehouse.auth.upstream.client.id": "gatehouse", "gatehouse.auth.upstream.client.secret": "idp-secret",
            "gatehouse.auth.store": ":memory:",
            "gatehouse.auth.store.secret": "a-store-secret-that-is-long-enough-1234567",
            "gatehouse.auth.scope.mapping": "* -> tickets:read; groups=support -> tickets:write",
            "gatehouse.auth.allow.insecure.issuers": "true",
        ]
        if let registrationRate { values["gatehouse.auth.registration.rate"] = .init(.string(registrationRate), isSecret: false) }
        for (key, value) in extra { values[key] = value }
        var settings = try GatewaySettings(reader: ConfigReader(provider: InMemoryProvider(values: values)))
        settings.connectorsPath = folder
        let builtIn = try #require(settings.authorizationServer)
        let idp = FakeAuthHTTP()
        idp.serve(provider + "/.well-known/openid-configuration", json: [
            "issuer": .string(provider), "authorization_endpoint": .string(provider + "/auth"),
            "token_endpoint": .string(provider + "/token"), "jwks_uri": .string(provider + "/jwks"),
        ])
        let idpKey = try await SigningKey.es256(kid: "idp")
        idp.serve(provider + "/jwks", json: ["keys": [idpKey.jwk]])
        let events = RecordingEvents()
        let logger = Logger(label: "gatehouse.builtin-tests")
        let store = try await SQLiteAuthStore.open(path: ":memory:")
        let server = try await BuiltInAuthorizationServer(
            settings: builtIn, publicURL: publicURL, store: store, closeStore: { try await store.close() }, idpHTTP: idp, documents: NoDocuments(), hosts: StaticHosts(),
            events: events, logger: logger)
        let upstream = ScriptedUpstream()
        // No issuer network at all for the resource server: its keys must
        // come from this server, in process.
        let gateway = GatewayApp(
            settings: settings, logger: logger, upstream: upstream, authHTTP: outboundHTTP ? idp : UnavailableAuthHTTP()
        ).makeGateway(authorizationServer: server)
        try gateway.reload()
        return BuiltInHarness(gateway: gateway, server: server, idp: idp, idpKey: idpKey, events: events, upstream: upstream)
    }

    func application() -> some ApplicationProtocol { Application(router: gateway.router()) }

    /// Runs `body` against the gateway's routes, then closes the store
    /// whatever happened.
    static func run(
        folder: String, registrationRate: String? = nil, settings: [AbsoluteConfigKey: ConfigValue] = [:],
        outboundHTTP: Bool = false, testing: TestingSetup = .router,
        _ body: @Sendable (BuiltInHarness, any TestClientProtocol) async throws -> Void
    ) async throws {
        let harness = try await make(folder: folder, registrationRate: registrationRate, settings: settings, outboundHTTP: outboundHTTP)
        do {
            try await harness.application().test(testing) { client in try await body(harness, client) }
        } catch {
            try await harness.server.close()
            throw error
        }
        try await harness.server.close()
    }

    static func form(_ fields: [(String, String)]) -> ByteBuffer {
        ByteBuffer(string: fields.map { "\($0.0)=\(HTTPAuthClient.formEncode($0.1))" }.joined(separator: "&"))
    }

    static let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    static func query(_ location: String?) -> [String: String] {
        let items = location.flatMap { URLComponents(string: $0)?.queryItems } ?? []
        return Dictionary(items.map { ($0.name, $0.value ?? "") }) { first, _ in first }
    }

    static func hidden(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    static func authorizeURI(client: String, verifier: String = verifier, extra: String = "", resource: String = resource) -> String {
        let challenge = PKCE.challenge(for: verifier)
        return "/authorize?response_type=code&client_id=\(client)&redirect_uri=\(HTTPAuthClient.formEncode(redirect))"
            + "&code_challenge=\(challenge)&code_challenge_method=S256&state=client-state"
            + "&resource=\(HTTPAuthClient.formEncode(resource))&scope=tickets:read%20tickets:write\(extra)"
    }

    /// The identity provider's token endpoint answers for `nonce`.
    func providerSignsIn(nonce: String, groups: [String], claims extra: JSONObject = ["email_verified": true]) throws {
        let now = Int64(Date().timeIntervalSince1970)
        var claims: JSONObject = [
            "iss": .string(Self.provider), "aud": "gatehouse", "sub": "ada", "email": "ada@example.com", "nonce": .string(nonce),
            "groups": .array(groups.map { .string($0) }), "iat": .int(now), "exp": .int(now + 300),
        ]
        for (name, value) in extra { claims[name] = value }
        let idToken = try makeJWT(claims, key: idpKey)
        idp.answerPosts(to: Self.provider + "/token", json: ["id_token": .string(idToken), "access_token": "idp-access"])
    }

    /// Registers a client with the given extra metadata and returns its id.
    static func register(_ client: some TestClientProtocol, _ extra: String = "") async throws -> String {
        let registered = try await client.execute(
            uri: "/register", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(string: #"{"redirect_uris":["\#(redirect)"]\#(extra)}"#))
        #expect(registered.status == .created)
        return try #require(try registered.json()["client_id"]?.stringValue)
    }

    /// Registers a client, then walks the browser's way to a code.
    func signIn(
        _ client: some TestClientProtocol, groups: [String] = ["support"], claims: JSONObject = ["email_verified": true],
        resource: String = resource
    ) async throws -> (clientID: String, code: String) {
        let clientID = try await Self.register(client, #","client_name":"Route Test","token_endpoint_auth_method":"none""#)
        let page = try await client.execute(uri: Self.authorizeURI(client: clientID, resource: resource), method: .get)
        #expect(page.status == .ok)
        let html = String(buffer: page.body)
        let approve = try await client.execute(
            uri: "/authorize/consent", method: .post, headers: Self.formHeaders,
            body: Self.form([("pending", try #require(Self.hidden("pending", in: html))),
                             ("csrf_token", try #require(Self.hidden("csrf_token", in: html))), ("decision", "approve")]))
        #expect(approve.status == .found)
        let upstream = Self.query(approve.headers[.location])
        try providerSignsIn(nonce: try #require(upstream["nonce"]), groups: groups, claims: claims)
        let back = try await client.execute(
            uri: "/oauth/callback?code=idp-code&state=\(try #require(upstream["state"]))", method: .get)
        #expect(back.status == .found)
        let answer = Self.query(back.headers[.location])
        #expect(back.headers[.location]?.hasPrefix(Self.redirect + "?") == true)
        #expect(answer["state"] == "client-state")
        #expect(answer["iss"] == Self.publicURL)
        return (clientID, try #require(answer["code"]))
    }

    func exchange(
        _ client: some TestClientProtocol, clientID: String, code: String, verifier: String = verifier, resource: String = resource
    ) async throws -> TestResponse {
        try await client.execute(
            uri: "/token", method: .post, headers: Self.formHeaders,
            body: Self.form([("grant_type", "authorization_code"), ("code", code), ("code_verifier", verifier),
                             ("redirect_uri", Self.redirect), ("client_id", clientID), ("resource", resource)]))
    }
}

@Suite("Built-in authorization server over HTTP")
struct AuthorizationServerRouteTests {
    @Test func metadataNamesThisServerAndWhatItSupports() async throws {
        let folder = try TemporaryFolder(["tickets.yaml": AuthFixture.connector])
        try await BuiltInHarness.run(folder: folder.path) { harness, client in
            for path in ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"] {
                let metadata = try await client.execute(uri: path, method: .get).json()
                #expect(metadata["issuer"] == .string(BuiltInHarness.publicURL))
                #expect(metadata["code_challenge_methods_supported"] == ["S256"])
                #expect(metadata["token_endpoint_auth_methods_supported"]?.arrayValue?.contains("none") == true)
                #expect(metadata["client_id_metadata_document_supported"] == true)
                #expect(metadata["authorization_response_iss_parameter_supported"] == true)
                let scopes = try #require(metadata["scopes_supported"]?.arrayValue)
                #expect(scopes.contains("tickets:read") && scopes.contains("tickets:write"))
            }
            let resource = try await client.execute(uri: "/.well-known/oauth-protected-resource/mcp", method: .get).json()
            #expect(resource["authorization_servers"] == [.string(BuiltInHarness.publicURL)])
            let jwks = try await client.execute(uri: "/jwks.json", method: .get).json()
            let key = try #require(jwks["keys"]?.arrayValue?.first)
            #expect(key["alg"] == "ES256" && key["kty"] == "EC" && key["d"] == nil, "only the public key is published")
        }
    }

    @Test func signInThroughTheConsentPageThenCallToolsWithTheIssuedToken() async throws {
        let folder = try TemporaryFolder(["tickets.yaml": AuthFixture.connector])
        try await BuiltInHarness.run(folder: folder.path) { harness, client in
            let (clientID, code) = try await harness.signIn(client)
            let tokens = try await harness.exchange(client, clientID: clientID, code: code)
            #expect(tokens.status == .ok)
            #expect(tokens.headers[.cacheControl] == "no-store")
            let body = try tokens.json()
            #expect(body["scope"] == "tickets:read tickets:write")
            let access = try #require(body["access_token"]?.stringValue)
            // The same verifier as for an external issuer accepts it.
            let call = try await client.execute(
                uri: "/mcp", method: .post,
                headers: AuthFixture.headers(method: "tools/call", name: "write_ticket", authorization: "Bearer \(access)"),
                body: AuthFixture.call("write_ticket", ["title": "Printer"]))
            #expect(call.status == .ok)
            #expect(try call.json()["result"]?["isError"] != true)
            #expect(harness.upstream.requests.count == 1)
            #expect(harness.events.all.contains { $0.kind == .granted && $0.subject == "ada" && $0.clientID == clientID })
            #expect(harness.events.all.contains { $0.kind == .consented })
        }
    }

    @Test func aPlusInTheAuthorizationQueryIsASpace() async throws {
        let folder = try TemporaryFolder(["tickets.yaml": AuthFixture.connector])
        try await BuiltInHarness.run(folder: folder.path) { harness, client in
            let clientID = try await BuiltInHarness.register(client)
            let uri = BuiltInHarness.authorizeURI(client: clientID).replacingOccurrences(of: "%20", with: "+")
            let page = String(buffer: try await client.execute(uri: uri, method: .get).body)
            #expect(page.contains("<li><code>tickets:read</code></li><li><code>tickets:write</code></li>"))
            let missingPKCE = try await client.execute(
                uri: "/authorize?response_type=code&client_id=\(clientID)&redirect_uri=\(HTTPAuthClient.formEncode(BuiltInHarness.redirect))&state=a+b",
                method: .get)
            #expect(BuiltInHarness.query(missingPKCE.headers[.location])["state"] == "a b", "the client gets its state back unchanged")
        }
    }

    @Test func theConsentPageCannotBeFramedAndEscapesTheClientName() async throws {
        let folder = try TemporaryFolder(["tickets.yaml": AuthFixture.connector])
        try await BuiltInHarness.run(folder: folder.path) { harness, client in
            let clientID = try await BuiltInHarness.register(client, #","client_name":"<script>alert(1)</script>""#)
            let page = try await client.execute(uri: BuiltInHarness.authorizeURI(client: clientID), method: .get)
            #expect(page.headers[.init("X-Frame-Options")!] == "DENY")
            #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            let html = String(buffer: page.body)
            #expect(!html.contains("<script>"))
            #expect(html.contains("&lt;script&gt;"))
            #expect(html.contains("127.0.0.1"), "the redirect's host is shown")
        }
    }

    @Test func aConsentPostWithoutTheAntiForgeryTokenIsRefused() async throws {
        let folder = try TemporaryFolder(["tickets.yaml": AuthFixture.connector])
        try await BuiltInHarness.run(folder: folder.path) { harness, client in
            let clientID = try await BuiltInHarness.register(client)
            let html = String(buffer: try await client.execute(uri: BuiltInHarness.authorizeURI(client: clientID), method: .get).body)
            let pending = try #require(BuiltInHarness.hidden("pending", in: html))
            for fields in [[("pending", pending), ("decision", "approve")], [("pending", pending), ("csrf_token", "forged"), ("decision", "approve")]] {
                let response = try await client.execute(
                    uri: "/authorize/consent", method: .post, headers: BuiltInHarness.formHeaders, body: BuiltInHarness.form(fields))
                #expect(response.status == .forbidden)
                #expect(response.headers[.location] == nil)
            }
            #expect(harness.idp.posts.isEmpty, "nothing reached the identity provider")
        }
    }

    @Test func refreshRotatesAndAReusedRefreshTokenEndsTheFamily() async throws {
        let folder = try TemporaryFolder(["tickets.yaml": AuthFixture.connector])
        try await BuiltInHarness.run(folder: folder.path) { harness, client in
            let (clientID, code) = try await harness.signIn(client)
            let first = try await harness.exchange(client, clientID: clientID, code: code).json()
            let refresh = try #require(first["refresh_token"]?.stringValue)
            func refreshWith(_ token: String) async throws -> TestResponse {
                try await client.execute(
                    uri: "/token", method: .post, headers: BuiltInHarness.formHeaders,
                    body: BuiltInHarness.form([("grant_type", "refresh_token"), ("refresh_token", token), ("client_id", clientID)]))
            }
            let second = try await refreshWith(refresh)
            #expect(second.status == .ok)
            let rotated = try #require(try second.json()["refresh_token"]?.stringValue)
            #expect(rotated != refresh)
            let reuse = try await refreshWith(refresh)
            #expect(reuse.status == .badRequest)
            #expect(try reuse.json()["error"] == "invalid_grant")
            let afterReuse = try await refreshWith(rotated)
            #expect(try afterReuse.json()["error"] == "invalid_grant", "the whole family is revoked")
            #expect(harness.events.all.contains { $0.kind == .revoked && $0.reason == "refresh token reused" })
        }
    }

    @Test func revocationEndsTheGrant() async throws {
        let folder = try TemporaryFolder(["tickets.yaml": AuthFixture.connector])
        try await BuiltInHarness.run(folder: folder.path) { harness, client in
            let (clientID, code) = try await harness.signIn(client)
            let refresh = try #require(try await harness.exchange(client, clientID: clientID, code: code).json()["refresh_token"]?.stringValue)
            let revoked = try await client.execute(
                uri: "/revoke", method: .post, headers: BuiltInHarness.formHeaders,
                body: BuiltInHarness.form([("token", refresh), ("token_type_hint", "refresh_token"), ("client_id", clientID)]))
            #expect(revoked.status == .ok)
            let unknown = try await client.execute(
                uri: "/revoke", method: .post, headers: BuiltInHarness.formHeaders,
                body: BuiltInHarness.form([("token", "never-issued"), ("client_id", clientID)]))
            #expect(unknown.status == .ok, "RFC 7009: unknown tokens are not an error")
            let after = try await client.execute(
                uri: "/token", method: .post, headers: BuiltInHarness.formHeaders,
                body: BuiltInHarness.form([("grant_type", "refresh_token"), ("refresh_token", refresh), ("client_id", clientID)]))
            #expect(try after.json()["error"] == "invalid_grant")
        }
    }

    @Test func tokenEndpointRefusalsAreOAuthErrors() async throws {
        let folder = try TemporaryFolder(["tickets.yaml": AuthFixture.connector])
        try await BuiltInHarness.run(folder: folder.path) { harness, client in
            let unknown = try await client.execute(
                uri: "/token", method: .post, headers: BuiltInHarness.formHeaders,
                body: BuiltInHarness.form([("grant_type", "authorization_code"), ("code", "x"), ("client_id", "nobody")]))
            #expect(unknown.status == .unauthorized)
            #expect(try unknown.json()["error"] == "invalid_client")
            let json = try await client.execute(
                uri: "/token", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{}"))
            #expect(try json.json()["error"] == "invalid_request")
            let twice = try await client.execute(
                uri: "/token", method: .post, headers: BuiltInHarness.formHeaders,
                body: ByteBuffer(string: "grant_type=refresh_token&client_id=a&client_id=b"))
            #expect(try twice.json()["error"] == "invalid_request")
            let basic = try await client.execute(
                uri: "/token", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .authorization: "Basic " + Data("nobody:pw".utf8).base64EncodedString()],
                body: ByteBuffer(string: "grant_type=refresh_token&refresh_token=x"))
            #expect(basic.status == .unauthorized)
            #expect(basic.headers[.wwwAuthenticate]?.hasPrefix("Basic") == true)
            let (clientID, code) = try await harness.signIn(client)
            let wrongVerifier = try await harness.exchange(client, clientID: clientID, code: code, verifier: String(repeating: "x", count: 43))
            #expect(try wrongVerifier.json()["error"] == "invalid_grant")
            #expect(harness.events.all.filter { $0.kind == .refused }.count >= 4)
        }
    }

    @Test func registrationIsRateLimitedPerAddress() async throws {
        let folder = try TemporaryFolder(["tickets.yaml": AuthFixture.connector])
        try await BuiltInHarness.run(folder: folder.path, registrationRate: "2/hour") { harness, client in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<3 {
                let response = try await client.execute(
                    uri: "/register", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: #"{"redirect_uris":["\#(BuiltInHarness.redirect)"]}"#))
                statuses.append(response.status)
                if response.status == .tooManyRequests { #expect(response.headers[.retryAfter] != nil) }
            }
            #expect(statuses == [.created, .created, .tooManyRequests])
            let huge = try await client.execute(
                uri: "/register", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"client_name":"\#(String(repeating: "a", count: 20_000))"}"#))
            #expect(huge.status == .tooManyRequests || huge.status == .contentTooLarge)
        }
    }

    /// The access token a full sign-in gives, for `groups` and `claims`.
    static func accessToken(
        _ harness: BuiltInHarness, _ client: some TestClientProtocol, groups: [String] = ["support"],
        claims: JSONObject = ["email_verified": true]
    ) async throws -> (access: String, refresh: String, clientID: String) {
        let (clientID, code) = try await harness.signIn(client, groups: groups, claims: claims)
        let tokens = try await harness.exchange(client, clientID: clientID, code: code)
        #expect(tokens.status == .ok)
        let body = try tokens.json()
        return (try #require(body["access_token"]?.stringValue), try #require(body["refresh_token"]?.stringValue), clientID)
    }

    /// Calls `tool` with `access` and returns the tool result.
    static func callTool(
        _ client: some TestClientProtocol, _ tool: String, _ arguments: JSONObject = [:], access: String
    ) async throws -> JSONValue {
        let call = try await client.execute(
            uri: "/mcp", method: .post, headers: AuthFixture.headers(method: "tools/call", name: tool, authorization: "Bearer \(access)"),
            body: AuthFixture.call(tool, arguments))
        #expect(call.status == .ok)
        return try #require(try call.json()["result"])
    }

    static func text(_ result: JSONValue) -> String {
        result["content"]?.arrayValue?.first?["text"]?.stringValue ?? ""
    }

    @Test func aUserInHundredsOfGroupsSignsInAndCallsTools() async throws {
        let folder = try TemporaryFolder(["tickets.yaml": AuthFixture.connector])
        try await BuiltInHarness.run(folder: folder.path) { harness, client in
            var groups = (0..<400).map { "cn=team-\($0),ou=groups,dc=example,dc=com" }
            groups.insert("support", at: 123)
            let (access, _, _) = try await Self.accessToken(harness, client, groups: groups)
            #expect(access.utf8.count < 2_048, "only the group the scope mapping names is copied: \(access.utf8.count) bytes")
            let written = try await Self.callTool(client, "write_ticket", ["title": "Printer"], access: access)
            #expect(written["isError"] != true, "tickets:write was granted through the support group")
            let mine = try await Self.callTool(client, "my_tickets", access: access)
            #expect(mine["isError"] != true)
            #expect(harness.upstream.requests.count == 2)
            #expect(harness.upstream.requests.last?.headers.contains { $0.name == "X-User-Email" && $0.value == "ada@example.com" } == true)
        }
    }

    @Test func aClaimAConnectorFileStartsToUseReachesTheNextToken() async throws {
        let folder = try TemporaryFolder(["tickets.yaml": AuthFixture.connector])
        try await BuiltInHarness.run(folder: folder.path) { harness, client in
            let (access, refresh, clientID) = try await Self.accessToken(
                harness, client, claims: ["email_verified": true, "department": "R&D"])
            try folder.write("people.yaml", """
                connector: people
                base_url: https://people.example.test
                tools:
                  - name: my_department
                    description: The signed-in user's department.
                    path: /departments
                    headers:
                      X-Department: "{{ user.claims.department }}"
                """)
            try harness.gateway.reload(reason: "test")
            let before = try await Self.callTool(client, "my_department", access: access)
            #expect(before["isError"] == true, "the token was issued before any tool read the claim")
            let refreshed = try await client.execute(
                uri: "/token", method: .post, headers: BuiltInHarness.formHeaders,
                body: BuiltInHarness.form([("grant_type", "refresh_token"), ("refresh_token", refresh), ("client_id", clientID)]))
            let fresh = try #require(try refreshed.json()["access_token"]?.stringValue)
            let after = try await Self.callTool(client, "my_department", access: fresh)
            #expect(after["isError"] != true, "\(Self.text(after))")
            #expect(harness.upstream.requests.last?.headers.contains { $0.name == "X-Department" && $0.value == "R&D" } == true)
        }
    }

    @Test(arguments: [["email_verified": false], [:]] as [JSONObject])
    func anEmailTheProviderDidNotVerifyIsNotPassedOn(claims: JSONObject) async throws {
        let folder = try TemporaryFolder(["tickets.yaml": AuthFixture.connector])
        try await BuiltInHarness.run(folder: folder.path) { harness, client in
            let (access, _, _) = try await Self.accessToken(harness, client, claims: claims)
            let result = try await Self.callTool(client, "my_tickets", access: access)
            #expect(result["isError"] == true)
            #expect(Self.text(result).contains("{{ user.email }}") && Self.text(result).contains("has not verified that address"))
            #expect(harness.upstream.requests.isEmpty, "the API never sees an unverified address")
            let other = try await Self.callTool(client, "list_tickets", access: access)
            #expect(other["isError"] != true, "tools that do not use the email still work")
        }
    }

    @Test func anUnverifiedEmailIsPassedOnWhenTheOperatorAllowsIt() async throws {
        let folder = try TemporaryFolder(["tickets.yaml": AuthFixture.connector])
        try await BuiltInHarness.run(folder: folder.path, settings: ["gatehouse.auth.allow.unverified.email": true]) { harness, client in
            let (access, _, _) = try await Self.accessToken(harness, client, claims: ["email_verified": false])
            let result = try await Self.callTool(client, "my_tickets", access: access)
            #expect(result["isError"] != true, "\(Self.text(result))")
            #expect(harness.upstream.requests.last?.headers.contains { $0.name == "X-User-Email" && $0.value == "ada@example.com" } == true)
        }
    }

    @Test func registrationBodiesAreSizeLimited() async throws {
        let folder = try TemporaryFolder(["tickets.yaml": AuthFixture.connector])
        try await BuiltInHarness.run(folder: folder.path) { harness, client in
            let huge = try await client.execute(
                uri: "/register", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"redirect_uris":["\#(BuiltInHarness.redirect)"],"client_name":"\#(String(repeating: "a", count: 20_000))"}"#))
            #expect(huge.status == .contentTooLarge)
            #expect(try huge.json()["error"] == "invalid_client_metadata")
        }
    }

    @Test func operatorRevocationEndsEveryGrantOfAUser() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-revoke-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try await SQLiteAuthStore.open(path: path)
        try await store.migrate()
        for (id, subject) in [("g1", "ada"), ("g2", "ada"), ("g3", "bob")] {
            try await store.saveGrant(GrantRecord(id: id, clientID: "c", subject: subject, scopes: [], resource: "r", claimsJSON: "{}", createdAt: 1))
        }
        try await store.close()
        let events = RecordingEvents()
        let count = try await GrantRevocation.revoke(store: path, subject: "ada", clientID: nil, events: events, logger: Logger(label: "t"))
        #expect(count == 2)
        #expect(events.all.first?.kind == .revoked && events.all.first?.subject == "ada")
        let reopened = try await SQLiteAuthStore.open(path: path)
        #expect(try await reopened.grant(id: "g1")?.revokedAt != nil)
        #expect(try await reopened.grant(id: "g3")?.revokedAt == nil)
        try await reopened.close()
    }
}

@Suite("Authorization events")
struct AuthorizationEventTests {
    @Test func eventsAreCountedByKindAndAuditedBeside() {
        let metrics = GatewayMetrics()
        let recorded = RecordingEvents()
        let sinks = AuthorizationEventSinks([AuthorizationEventMetrics(metrics: metrics), recorded])
        sinks.record(.init(.granted, clientID: "c", subject: "ada"))
        sinks.record(.init(.refused, clientID: "c", reason: "invalid_grant"))
        sinks.record(.init(.refused, clientID: nil, reason: "invalid_request"))
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        #expect(text.contains(#"gatehouse_authorization_events_total{event="grant"} 1"#))
        #expect(text.contains(#"gatehouse_authorization_events_total{event="refusal"} 2"#))
        #expect(recorded.all.count == 3)
    }
}

@Suite("Built-in authorization settings")
struct AuthorizationServerSettingsTests {
    func settings(_ values: [AbsoluteConfigKey: ConfigValue]) throws -> GatewaySettings {
        var all: [AbsoluteConfigKey: ConfigValue] = [
            "gatehouse.auth": "builtin", "gatehouse.public.url": "https://mcp.example.test",
            "gatehouse.auth.upstream.issuer": "https://login.example.test", "gatehouse.auth.upstream.client.id": "gh",
            "gatehouse.auth.upstream.client.secret": "s", "gatehouse.auth.store.secret": "0123456789abcdef0123456789abcdef",
        ]
        for (key, value) in values { all[key] = value }
        return try GatewaySettings(reader: ConfigReader(provider: InMemoryProvider(values: all)))
    }

    @Test func builtInModeMakesThisServerTheTrustedIssuer() throws {
        let settings = try settings([:])
        #expect(settings.auth.enabled)
        #expect(settings.auth.issuers.map(\.issuer) == ["https://mcp.example.test"])
        #expect(settings.auth.audiences == ["https://mcp.example.test/mcp"])
        let builtIn = try #require(settings.authorizationServer)
        #expect(builtIn.upstream.redirectURI == "https://mcp.example.test/oauth/callback")
        #expect(builtIn.upstream.scopes == ["openid", "email", "profile"])
        #expect(builtIn.store == "gatehouse-auth.sqlite" && !builtIn.isPostgres)
    }

    @Test func scopeMappingText() throws {
        let mapping = try AuthorizationServerSettings.scopeMapping("* -> mcp; groups=support|ops -> tickets:read tickets:write;roles=admin->admin")
        #expect(mapping.baseScopes == ["mcp"])
        #expect(mapping.rules == [
            .init(claim: "groups", values: ["support", "ops"], scopes: ["tickets:read", "tickets:write"]),
            .init(claim: "roles", values: ["admin"], scopes: ["admin"]),
        ])
        for bad in ["groups=support", "groups -> x", "=x -> y", "groups=a -> "] {
            #expect(throws: (any Error).self, "\(bad)") { try AuthorizationServerSettings.scopeMapping(bad) }
        }
    }

    @Test func staticClientsFromJSON() throws {
        let clients = try AuthorizationServerSettings.staticClients(
            #"[{"client_id":"desk","redirect_uris":["https://desk.example.test/cb"],"client_name":"Desk","client_secret":"pw"},{"client_id":"cli","redirect_uris":["http://127.0.0.1:9/cb"]}]"#)
        #expect(clients.map(\.client.clientID) == ["desk", "cli"])
        #expect(clients[0].client.tokenEndpointAuthMethod == "client_secret_basic" && clients[0].secret == "pw")
        #expect(clients[1].client.isPublic && clients[1].client.origin == .static)
        for bad in ["{}", "[{}]", #"[{"client_id":"x","redirect_uris":[]}]"#, "not json"] {
            #expect(throws: (any Error).self, "\(bad)") { try AuthorizationServerSettings.staticClients(bad) }
        }
    }

    @Test func unverifiedEmailsAreWithheldUnlessAllowed() throws {
        #expect(try settings([:]).auth.allowUnverifiedEmail == false)
        #expect(try settings(["gatehouse.auth.allow.unverified.email": "true"]).auth.allowUnverifiedEmail)
        #expect(try settings(["gatehouse.auth.allow.unverified.email": true]).auth.allowUnverifiedEmail)
        let external = try GatewaySettings(reader: ConfigReader(provider: InMemoryProvider(values: [
            "gatehouse.auth": "oauth", "gatehouse.public.url": "https://mcp.example.test",
            "gatehouse.auth.issuers": "https://login.example.test", "gatehouse.auth.allow.unverified.email": "TRUE",
        ])))
        #expect(external.auth.allowUnverifiedEmail, "external issuers too")
        do {
            _ = try settings(["gatehouse.auth.allow.unverified.email": "maybe"])
            Issue.record("'maybe' was taken for a yes or a no")
        } catch let error as GatewaySettings.Invalid {
            #expect(error.description == "GATEHOUSE_AUTH_ALLOW_UNVERIFIED_EMAIL must be true or false, not 'maybe'")
        }
    }

    @Test func missingOrWeakSettingsAreClearErrors() throws {
        #expect(throws: (any Error).self) { try settings(["gatehouse.auth.store.secret": "short"]) }
        #expect(throws: (any Error).self) { try settings(["gatehouse.auth.access.token.seconds": 5]) }
        #expect(throws: (any Error).self) {
            try GatewaySettings(reader: ConfigReader(provider: InMemoryProvider(values: ["gatehouse.auth": "builtin"])))
        }
        #expect(throws: (any Error).self) { try settings(["gatehouse.auth.upstream.issuer": "http://login.example.test"]) }
        #expect(throws: (any Error).self) { try settings(["gatehouse.auth.upstream.issuer": "not a url"]) }
        #expect(try settings(["gatehouse.auth.upstream.issuer": "http://127.0.0.1:4593/oidc"]).authorizationServer != nil)
        let postgres = try settings(["gatehouse.auth.store": "postgres://u@db.internal/gatehouse"])
        #expect(postgres.authorizationServer?.isPostgres == true)
    }
}

@Suite("Form requests")
struct FormRequestTests {
    @Test func decodesFormEncoding() throws {
        let form = try FormRequest.decode(Array("a=1+2&b=%2Fx%3D&empty=&c".utf8))
        #expect(form == ["a": "1 2", "b": "/x=", "empty": "", "c": ""])
        #expect(throws: FormRequest.Malformed.self) { try FormRequest.decode(Array("a=1&a=2".utf8)) }
        #expect(throws: FormRequest.Malformed.self) { try FormRequest.decode(Array("a=%zz".utf8)) }
    }

    @Test func queriesAreFormEncodedTooSoPlusIsASpace() throws {
        let query = try FormRequest.query("scope=mcp+tickets%3Aread&state=a+b&scope=again")
        #expect(query.map(\.name) == ["scope", "state", "scope"], "repeats are kept for the caller to refuse")
        #expect(query[0].value == "mcp tickets:read" && query[1].value == "a b")
        #expect(try FormRequest.query(nil).isEmpty)
    }

    @Test func clientCredentialsFromBasicOrBody() throws {
        let header = "Basic " + Data("my%3Aclient:p%40ss".utf8).base64EncodedString()
        let basic = try #require(try FormRequest.credentials(header: header, form: [:]))
        #expect(basic.clientID == "my:client" && basic.secret == "p@ss")
        let post = try #require(try FormRequest.credentials(header: nil, form: ["client_id": "c", "client_secret": "s"]))
        #expect(post.clientID == "c" && post.secret == "s")
        #expect(try FormRequest.credentials(header: nil, form: [:]) == nil)
        #expect(throws: FormRequest.Malformed.self) { try FormRequest.credentials(header: header, form: ["client_secret": "s"]) }
        #expect(throws: FormRequest.Malformed.self) { try FormRequest.credentials(header: "Basic !!!", form: [:]) }
    }
}
