import Foundation
import GatehouseJSON
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import Logging
import MCPProtocol
import OAuth
import OAuthTestSupport
import Synchronization
import GatehouseTesting
import Testing
import Upstream

@testable import Gateway

enum AuthFixture {
    static let issuer = "https://login.example.test"
    static let publicURL = "https://mcp.example.test"
    static let resource = "https://mcp.example.test/mcp"
    static let metadataURL = "https://mcp.example.test/.well-known/oauth-protected-resource/mcp"

    static let connector = """
        connector: tickets
        description: Ticket API for the auth tests.
        base_url: https://tickets.example.test/api
        tools:
          - name: list_tickets
            description: List the tickets.
            path: /tickets
          - name: write_ticket
            description: Open a ticket.
            scopes: [tickets:write]
            method: POST
            path: /tickets
            parameters:
              title: { type: string, required: true, description: Ticket title }
          - name: my_tickets
            description: The signed-in user's tickets.
            path: /users/{user.sub}/tickets
            headers:
              X-User-Email: "{{ user.email }}"
        """

    /// The issuer's keys: an ES256 key (`ec-1`) and an RS256 key (`rsa-1`).
    struct Keys: Sendable {
        let ec: any JWTAlgorithm
        let rsa: any JWTAlgorithm
        let jwks: JSONValue
        let rsaPublicPEM: String

        init() async throws {
            let ecKey = try await SigningKey.es256(kid: "ec-1")
            let rsaKey = try await SigningKey.rs256(kid: "rsa-1")
            ec = ecKey.signer
            rsa = rsaKey.signer
            jwks = ["keys": [ecKey.jwk, rsaKey.jwk]]
            rsaPublicPEM = try SigningKey.rsaPublicKeyPEM
        }
    }

    static func sign(header: JSONObject, claims: JSONObject, with signer: (any JWTAlgorithm)?) throws -> String {
        try makeJWT(header: header, claims: claims, signer: signer)
    }

    static func claims(
        iss: String = issuer, aud: JSONValue = .string(resource), sub: String = "alice-123", scope: String? = nil,
        exp: Double = Date().timeIntervalSince1970 + 300, extra: JSONObject = [:]
    ) -> JSONObject {
        var claims: JSONObject = [
            "iss": .string(iss), "aud": aud, "sub": .string(sub), "email": "alice@example.test", "name": "Alice",
            "iat": .double(Date().timeIntervalSince1970 - 5), "exp": .double(exp),
        ]
        if let scope { claims["scope"] = .string(scope) }
        for (key, value) in extra { claims[key] = value }
        return claims
    }

    /// A valid ES256 token from the trusted issuer.
    static func token(_ keys: Keys, _ claims: JSONObject = claims()) throws -> String {
        try sign(header: ["alg": "ES256", "typ": "at+jwt", "kid": "ec-1"], claims: claims, with: keys.ec)
    }

    /// An issuer on `http`, publishing `keys`.
    static func publish(_ keys: Keys, on http: FakeAuthHTTP) {
        http.serve(issuer + "/.well-known/oauth-authorization-server", json: ["issuer": .string(issuer), "jwks_uri": .string(issuer + "/jwks")])
        http.serve(issuer + "/jwks", json: keys.jwks)
    }

    static func authSettings() -> AuthSettings {
        AuthSettings(enabled: true, issuers: [.init(issuer: issuer)], audiences: [resource])
    }

    /// What most tests start from: an issuer publishing fresh keys, and a
    /// gateway with OAuth on serving the tickets connector from its own folder.
    final class SignedIn: Sendable {
        let folder: TemporaryFolder
        let upstream: ScriptedUpstream
        let http: FakeAuthHTTP
        let keys: Keys
        let gateway: Gateway

        init(
            upstream: ScriptedUpstream = ScriptedUpstream(), injectVerifier: Bool = true,
            configure: (inout GatewaySettings) -> Void = { _ in }
        ) async throws {
            folder = try TemporaryFolder(["tickets.yaml": AuthFixture.connector])
            self.upstream = upstream
            http = FakeAuthHTTP()
            keys = try await Keys()
            AuthFixture.publish(keys, on: http)
            gateway = try AuthFixture.gateway(
                folder: folder.path, upstream: upstream, http: http, injectVerifier: injectVerifier, configure: configure)
        }
    }

    /// A gateway with OAuth on, checking tokens with a real `JWTVerifier`
    /// over `http` (or, with `injectVerifier: false`, with the verifier the
    /// gateway builds itself from `authHTTP`).
    static func gateway(
        folder: String, upstream: ScriptedUpstream, http: FakeAuthHTTP, injectVerifier: Bool = true,
        configure: (inout GatewaySettings) -> Void = { _ in }
    ) throws -> Gateway {
        var settings = GatewaySettings()
        settings.connectorsPath = folder
        settings.sessionSecret = "auth-route-test-secret"
        settings.publicURL = publicURL
        settings.auth = authSettings()
        configure(&settings)
        let logger = Logger(label: "gatehouse.auth-tests")
        let verifier: (any TokenVerifier)? = injectVerifier ? JWTVerifier(settings: settings.auth, http: http, logger: logger) : nil
        let gateway = GatewayApp(
            settings: settings, logger: logger, upstream: upstream, authHTTP: injectVerifier ? nil : http, verifier: verifier
        ).makeGateway()
        try gateway.reload()
        return gateway
    }

    static func headers(method: String, name: String? = nil, authorization: String?) -> HTTPFields {
        var headers = mcpHeaders(method: method, name: name)
        if let authorization { headers[.authorization] = authorization }
        return headers
    }

    static func call(_ name: String, _ arguments: JSONObject = [:]) -> ByteBuffer {
        modernRequest(id: "call", method: "tools/call", params: ["name": .string(name), "arguments": .object(arguments)])
    }
}

// MARK: - Routes with OAuth on

@Suite("OAuth on the gateway routes (and off)")
struct AuthRouteTests {
    @Test func protectedResourceMetadataIsServedWithoutAToken() async throws {
        let folder = try TemporaryFolder(["tickets.yaml": AuthFixture.connector])
        let http = FakeAuthHTTP()
        let gateway = try AuthFixture.gateway(folder: folder.path, upstream: ScriptedUpstream(), http: http)
        try await Application(router: gateway.router()).test(.router) { client in
            for path in ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .ok, "\(path)")
                #expect(response.headers[.contentType] == "application/json")
                let metadata = try response.json()
                #expect(metadata["resource"] == .string(AuthFixture.resource))
                #expect(metadata["authorization_servers"] == [.string(AuthFixture.issuer)])
                #expect(metadata["bearer_methods_supported"] == ["header"])
                let scopes = try #require(metadata["scopes_supported"]?.arrayValue)
                #expect(scopes.contains("tickets:write"))
                #expect(!scopes.contains("offline_access"))
            }
        }
        #expect(http.requestCount == 0, "serving metadata needs no issuer")
    }

    @Test func noTokenIsAChallengeToSignIn() async throws {
        let folder = try TemporaryFolder(["tickets.yaml": AuthFixture.connector])
        let upstream = ScriptedUpstream()
        let gateway = try AuthFixture.gateway(folder: folder.path, upstream: upstream, http: FakeAuthHTTP())
        try await Application(router: gateway.router()).test(.router) { client in
            let response = try await client.execute(
                uri: "/mcp", method: .post, headers: AuthFixture.headers(method: "tools/call", name: "list_tickets", authorization: nil),
                body: AuthFixture.call("list_tickets"))
            #expect(response.status == .unauthorized)
            let challenge = try #require(response.headers[.wwwAuthenticate])
            #expect(challenge.hasPrefix("Bearer resource_metadata=\"\(AuthFixture.metadataURL)\""))
            #expect(challenge.contains("scope=\"tickets:write\""))
            #expect(!challenge.contains("error="))
            #expect(try response.json()["error"]?["code"] == -32600)

            let get = try await client.execute(uri: "/mcp", method: .get, headers: [.accept: "text/event-stream"])
            #expect(get.status == .unauthorized)
            #expect(get.headers[.wwwAuthenticate] != nil)
            let delete = try await client.execute(uri: "/mcp", method: .delete)
            #expect(delete.status == .unauthorized)

            let legacy = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: nil, modern: false),
                body: legacyRequest(id: 0, method: "initialize", params: ["protocolVersion": "2025-06-18", "capabilities": [:]]))
            #expect(legacy.status == .unauthorized)
            #expect(legacy.headers[.mcpSessionID] == nil)
        }
        #expect(upstream.requests.isEmpty)
    }

    /// The `/mcp` middleware order: the Origin is judged before the token, a
    /// POST answers with its request id even when refused, GET and DELETE
    /// carry none, and every refusal is counted under the method it had.
    @Test func originComesBeforeTheTokenAndRefusalsAreCounted() async throws {
        let folder = try TemporaryFolder(["tickets.yaml": AuthFixture.connector])
        let upstream = ScriptedUpstream()
        let gateway = try AuthFixture.gateway(folder: folder.path, upstream: upstream, http: FakeAuthHTTP())
        try await Application(router: gateway.router()).test(.router) { client in
            var foreign = AuthFixture.headers(method: "tools/call", name: "list_tickets", authorization: nil)
            foreign[.origin] = "https://evil.example"
            let refused = try await client.execute(uri: "/mcp", method: .post, headers: foreign, body: AuthFixture.call("list_tickets"))
            #expect(refused.status == .forbidden, "a foreign origin is refused before its missing token")
            #expect(refused.headers[.wwwAuthenticate] == nil)
            #expect(refused.headers[HTTPField.Name("X-Request-Id")!] != nil)
            let foreignGet = try await client.execute(uri: "/mcp", method: .get, headers: [.origin: "https://evil.example"])
            #expect(foreignGet.status == .forbidden)
            #expect(foreignGet.headers[HTTPField.Name("X-Request-Id")!] == nil)

            let unauthorized = try await client.execute(
                uri: "/mcp", method: .post, headers: AuthFixture.headers(method: "tools/call", name: "list_tickets", authorization: nil),
                body: AuthFixture.call("list_tickets"))
            #expect(unauthorized.status == .unauthorized)
            #expect(unauthorized.headers[HTTPField.Name("X-Request-Id")!] != nil)
            let get = try await client.execute(uri: "/mcp", method: .get, headers: [.accept: "text/event-stream"])
            #expect(get.status == .unauthorized)
            #expect(get.headers[HTTPField.Name("X-Request-Id")!] == nil)
            let delete = try await client.execute(uri: "/mcp", method: .delete)
            #expect(delete.status == .unauthorized)

            let metrics = try await client.execute(uri: "/metrics", method: .get)
            let text = String(buffer: metrics.body)
            let lines = Set(text.split(separator: "\n").map(String.init))
            #expect(lines.contains(#"gatehouse_mcp_requests_total{method="none",status="403"} 1"#), "\(text)")
            #expect(lines.contains(#"gatehouse_mcp_requests_total{method="none",status="401"} 1"#))
            #expect(lines.contains(#"gatehouse_mcp_requests_total{method="GET",status="403"} 1"#))
            #expect(lines.contains(#"gatehouse_mcp_requests_total{method="GET",status="401"} 1"#))
            #expect(lines.contains(#"gatehouse_mcp_requests_total{method="DELETE",status="401"} 1"#))
            let authFailures = lines.filter { $0.hasPrefix("gatehouse_auth_failures_total{") }
            #expect(authFailures.count == 1 && authFailures.first?.hasSuffix(" 3") == true, "only the three requests without a token: \(authFailures)")
        }
        #expect(upstream.requests.isEmpty)
    }

    @Test func badTokensNeverReachTheUpstream() async throws {
        let auth = try await AuthFixture.SignedIn()
        let now = Date().timeIntervalSince1970
        let valid = try AuthFixture.token(auth.keys)

        let parts = valid.split(separator: ".").map(String.init)
        let forgedClaims = base64URL(JSONValue.object(AuthFixture.claims(sub: "mallory", scope: "tickets:write")).jsonBytes)
        let tampered = [parts[0], forgedClaims, parts[2]].joined(separator: ".")
        let stranger = ES256PrivateKey()
        let strangers = JWTKeyCollection()
        await strangers.add(ecdsa: stranger, kid: "ec-1")
        let otherSigner = try await strangers.getKey(for: "ec-1")
        let hmacKeys = JWTKeyCollection()
        await hmacKeys.add(hmac: HMACKey(from: auth.keys.rsaPublicPEM), digestAlgorithm: .sha256, kid: "hmac")
        let hmac = try await hmacKeys.getKey(for: "hmac")

        struct Case {
            var name: String
            var authorization: String?
            var query: String = ""
            var status: HTTPResponse.Status
            var error: String
        }
        let cases: [Case] = [
            Case(name: "expired", authorization: "Bearer " + (try AuthFixture.token(auth.keys, AuthFixture.claims(exp: now - 3600))),
                 status: .unauthorized, error: "invalid_token"),
            Case(name: "not yet valid", authorization: "Bearer " + (try AuthFixture.token(auth.keys, AuthFixture.claims(extra: ["nbf": .double(now + 3600)]))),
                 status: .unauthorized, error: "invalid_token"),
            Case(name: "wrong issuer", authorization: "Bearer " + (try AuthFixture.token(auth.keys, AuthFixture.claims(iss: "https://evil.example.test"))),
                 status: .unauthorized, error: "invalid_token"),
            Case(name: "wrong audience", authorization: "Bearer " + (try AuthFixture.token(auth.keys, AuthFixture.claims(aud: "https://other.example.test/mcp"))),
                 status: .unauthorized, error: "invalid_token"),
            Case(name: "tampered payload", authorization: "Bearer " + tampered, status: .unauthorized, error: "invalid_token"),
            Case(name: "another key, same kid",
                 authorization: "Bearer " + (try AuthFixture.sign(header: ["alg": "ES256", "kid": "ec-1"], claims: AuthFixture.claims(), with: otherSigner)),
                 status: .unauthorized, error: "invalid_token"),
            Case(name: "alg none", authorization: "Bearer " + (try AuthFixture.sign(header: ["alg": "none"], claims: AuthFixture.claims(), with: nil)),
                 status: .unauthorized, error: "invalid_token"),
            Case(name: "HS256 with the public key",
                 authorization: "Bearer " + (try AuthFixture.sign(header: ["alg": "HS256", "kid": "rsa-1"], claims: AuthFixture.claims(), with: hmac)),
                 status: .unauthorized, error: "invalid_token"),
            Case(name: "unknown kid",
                 authorization: "Bearer " + (try AuthFixture.sign(header: ["alg": "ES256", "kid": "ec-9"], claims: AuthFixture.claims(), with: otherSigner)),
                 status: .unauthorized, error: "invalid_token"),
            Case(name: "not a JWT", authorization: "Bearer not-a-jwt", status: .unauthorized, error: "invalid_token"),
            Case(name: "token in the query", authorization: "Bearer " + valid, query: "?access_token=" + valid,
                 status: .badRequest, error: "invalid_request"),
            Case(name: "token only in the query", authorization: nil, query: "?access_token=" + valid,
                 status: .badRequest, error: "invalid_request"),
            Case(name: "wrong scheme", authorization: "Basic YWxpY2U6c2VjcmV0", status: .badRequest, error: "invalid_request"),
            Case(name: "two tokens", authorization: "Bearer a b", status: .badRequest, error: "invalid_request"),
            Case(name: "empty bearer", authorization: "Bearer ", status: .badRequest, error: "invalid_request"),
        ]
        try await Application(router: auth.gateway.router()).test(.router) { client in
            for test in cases {
                let response = try await client.execute(
                    uri: "/mcp" + test.query, method: .post,
                    headers: AuthFixture.headers(method: "tools/call", name: "my_tickets", authorization: test.authorization),
                    body: AuthFixture.call("my_tickets"))
                #expect(response.status == test.status, "\(test.name)")
                let challenge = response.headers[.wwwAuthenticate] ?? ""
                #expect(challenge.hasPrefix("Bearer resource_metadata=\"\(AuthFixture.metadataURL)\""), "\(test.name)")
                #expect(challenge.contains("error=\"\(test.error)\""), "\(test.name): \(challenge)")
                #expect(!challenge.contains(valid), "\(test.name): the challenge never echoes the token")
                #expect(response.headers[.contentType] == "application/json", "\(test.name)")
            }
            // The valid token itself works, so the refusals above are about the tokens.
            let ok = try await client.execute(
                uri: "/mcp", method: .post, headers: AuthFixture.headers(method: "tools/call", name: "list_tickets", authorization: "Bearer " + valid),
                body: AuthFixture.call("list_tickets"))
            #expect(ok.status == .ok)
        }
        #expect(auth.upstream.requests.map(\.url) == ["https://tickets.example.test/api/tickets"], "only the valid call reached the auth.upstream")
    }

    @Test func twoAuthorizationHeadersAreRefused() async throws {
        let auth = try await AuthFixture.SignedIn()
        let valid = try AuthFixture.token(auth.keys)
        try await Application(router: auth.gateway.router()).test(.router) { client in
            var headers = AuthFixture.headers(method: "tools/call", name: "list_tickets", authorization: "Bearer " + valid)
            headers.append(HTTPField(name: .authorization, value: "Bearer " + valid))
            let response = try await client.execute(uri: "/mcp", method: .post, headers: headers, body: AuthFixture.call("list_tickets"))
            #expect(response.status == .badRequest)
            #expect(response.headers[.wwwAuthenticate]?.contains("error=\"invalid_request\"") == true)
        }
        #expect(auth.upstream.requests.isEmpty)
    }

    @Test func scopedToolIsHiddenAndForbiddenWithoutItsScope() async throws {
        let auth = try await AuthFixture.SignedIn()
        let token = try AuthFixture.token(auth.keys, AuthFixture.claims(scope: "tickets:read"))
        try await Application(router: auth.gateway.router()).test(.router) { client in
            let list = try await client.execute(
                uri: "/mcp", method: .post, headers: AuthFixture.headers(method: "tools/list", authorization: "Bearer " + token),
                body: modernRequest(method: "tools/list"))
            #expect(list.status == .ok)
            let result = try #require(try list.json()["result"])
            #expect(result["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["list_tickets", "my_tickets"])
            #expect(result["cacheScope"] == "private")

            let call = try await client.execute(
                uri: "/mcp", method: .post, headers: AuthFixture.headers(method: "tools/call", name: "write_ticket", authorization: "Bearer " + token),
                body: AuthFixture.call("write_ticket", ["title": "Printer on fire"]))
            #expect(call.status == .forbidden)
            let challenge = try #require(call.headers[.wwwAuthenticate])
            #expect(challenge.contains("error=\"insufficient_scope\""))
            #expect(challenge.contains("scope=\"tickets:write\""))
            #expect(challenge.contains("resource_metadata=\"\(AuthFixture.metadataURL)\""))
            #expect(try call.json()["error"]?["code"] == -32600)
        }
        #expect(auth.upstream.requests.isEmpty)
    }

    @Test func insufficientScopeNamesTheEndpointScopesToo() async throws {
        let auth = try await AuthFixture.SignedIn(configure: { $0.auth.requiredScopes = ["mcp"] })
        try await Application(router: auth.gateway.router()).test(.router) { client in
            // The endpoint itself needs `mcp`.
            let without = try AuthFixture.token(auth.keys, AuthFixture.claims(scope: "tickets:write"))
            let refused = try await client.execute(
                uri: "/mcp", method: .post, headers: AuthFixture.headers(method: "tools/call", name: "list_tickets", authorization: "Bearer " + without),
                body: AuthFixture.call("list_tickets"))
            #expect(refused.status == .forbidden)
            #expect(refused.headers[.wwwAuthenticate]?.contains("error=\"insufficient_scope\"") == true)
            #expect(refused.headers[.wwwAuthenticate]?.contains("scope=\"mcp\"") == true)

            // The tool adds its own.
            let endpointOnly = try AuthFixture.token(auth.keys, AuthFixture.claims(scope: "mcp"))
            let call = try await client.execute(
                uri: "/mcp", method: .post, headers: AuthFixture.headers(method: "tools/call", name: "write_ticket", authorization: "Bearer " + endpointOnly),
                body: AuthFixture.call("write_ticket", ["title": "x"]))
            #expect(call.status == .forbidden)
            #expect(call.headers[.wwwAuthenticate]?.contains("scope=\"mcp tickets:write\"") == true)
        }
        #expect(auth.upstream.requests.isEmpty)
    }

    @Test func scopedToolIsListedAndCallableWithItsScope() async throws {
        let auth = try await AuthFixture.SignedIn()
        let token = try AuthFixture.token(auth.keys, AuthFixture.claims(scope: "tickets:read tickets:write"))
        try await Application(router: auth.gateway.router()).test(.router) { client in
            let list = try await client.execute(
                uri: "/mcp", method: .post, headers: AuthFixture.headers(method: "tools/list", authorization: "Bearer " + token),
                body: modernRequest(method: "tools/list"))
            let result = try #require(try list.json()["result"])
            #expect(result["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["list_tickets", "my_tickets", "write_ticket"])
            #expect(result["cacheScope"] == "private")

            let call = try await client.execute(
                uri: "/mcp", method: .post, headers: AuthFixture.headers(method: "tools/call", name: "write_ticket", authorization: "Bearer " + token),
                body: AuthFixture.call("write_ticket", ["title": "Printer on fire"]))
            #expect(call.status == .ok)
            #expect(try call.json()["result"]?["isError"] == nil)
        }
        let request = try #require(auth.upstream.requests.first)
        #expect(auth.upstream.requests.count == 1)
        #expect(request.method.rawValue == "POST")
        #expect(request.url == "https://tickets.example.test/api/tickets")
    }

    @Test func theCallerReachesTheUpstreamButTheirTokenDoesNot() async throws {
        let auth = try await AuthFixture.SignedIn()
        let token = try AuthFixture.token(auth.keys)
        try await Application(router: auth.gateway.router()).test(.router) { client in
            let call = try await client.execute(
                uri: "/mcp", method: .post, headers: AuthFixture.headers(method: "tools/call", name: "my_tickets", authorization: "Bearer " + token),
                body: AuthFixture.call("my_tickets"))
            #expect(call.status == .ok)
            #expect(try call.json()["result"]?["isError"] == nil)
        }
        let request = try #require(auth.upstream.requests.first)
        #expect(request.url == "https://tickets.example.test/api/users/alice-123/tickets")
        #expect(request.header("X-User-Email") == "alice@example.test")
        #expect(request.header("Authorization") == nil)
        for header in request.headers {
            #expect(!header.value.contains(token), "header \(header.name) carries the caller's token")
            // Not even a piece of it (the signature is the secret part).
            #expect(!header.value.contains(String(token.split(separator: ".")[2])), "header \(header.name)")
        }
        #expect(!request.url.contains(token))
    }

    @Test func subjectIsPercentEncodedInThePath() async throws {
        let auth = try await AuthFixture.SignedIn()
        let token = try AuthFixture.token(auth.keys, AuthFixture.claims(sub: "../admin?x=1"))
        try await Application(router: auth.gateway.router()).test(.router) { client in
            let call = try await client.execute(
                uri: "/mcp", method: .post, headers: AuthFixture.headers(method: "tools/call", name: "my_tickets", authorization: "Bearer " + token),
                body: AuthFixture.call("my_tickets"))
            #expect(call.status == .ok)
        }
        #expect(auth.upstream.requests.map(\.url) == ["https://tickets.example.test/api/users/..%2Fadmin%3Fx%3D1/tickets"])
    }

    @Test func gatewayBuildsItsOwnCachingVerifierFromAuthHTTP() async throws {
        let auth = try await AuthFixture.SignedIn(injectVerifier: false)
        let token = try AuthFixture.token(auth.keys)
        try await Application(router: auth.gateway.router()).test(.router) { client in
            for _ in 0..<3 {
                let call = try await client.execute(
                    uri: "/mcp", method: .post, headers: AuthFixture.headers(method: "tools/call", name: "list_tickets", authorization: "Bearer " + token),
                    body: AuthFixture.call("list_tickets"))
                #expect(call.status == .ok)
            }
        }
        #expect(auth.upstream.requests.count == 3)
        #expect(auth.http.gets == [AuthFixture.issuer + "/.well-known/oauth-authorization-server", AuthFixture.issuer + "/jwks"])
    }

    @Test func unreachableIssuerRefusesEveryToken() async throws {
        let folder = try TemporaryFolder(["tickets.yaml": AuthFixture.connector])
        let upstream = ScriptedUpstream()
        let keys = try await AuthFixture.Keys()
        // OAuth on, but no HTTP client for the issuer at all.
        var settings = GatewaySettings()
        settings.connectorsPath = folder.path
        settings.publicURL = AuthFixture.publicURL
        settings.auth = AuthFixture.authSettings()
        let gateway = GatewayApp(settings: settings, logger: Logger(label: "gatehouse.auth-tests"), upstream: upstream).makeGateway()
        try gateway.reload()
        try await Application(router: gateway.router()).test(.router) { client in
            let call = try await client.execute(
                uri: "/mcp", method: .post,
                headers: AuthFixture.headers(method: "tools/call", name: "list_tickets", authorization: "Bearer " + (try AuthFixture.token(keys))),
                body: AuthFixture.call("list_tickets"))
            #expect(call.status == .unauthorized)
            #expect(call.headers[.wwwAuthenticate]?.contains("error=\"invalid_token\"") == true)
        }
        #expect(upstream.requests.isEmpty)
    }

    // MARK: OAuth off

    @Test func noMetadataRoutesAndNoTokenNeeded() async throws {
        let folder = try TemporaryFolder(["tickets.yaml": AuthFixture.connector])
        let upstream = ScriptedUpstream()
        let gateway = try makeTestGateway(folder: folder.path, upstream: upstream) { $0.publicURL = AuthFixture.publicURL }
        #expect(gateway.resourceServer == nil)
        try await Application(router: gateway.router()).test(.router) { client in
            for path in ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .notFound, "\(path)")
            }
            let list = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "tools/list"), body: modernRequest(method: "tools/list"))
            #expect(list.status == .ok)
            let result = try #require(try list.json()["result"])
            // Without a caller nothing is filtered.
            #expect(result["tools"]?.arrayValue?.count == 3)
            #expect(result["cacheScope"] == "public")

            let call = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "tools/call", name: "list_tickets"),
                body: AuthFixture.call("list_tickets"))
            #expect(call.status == .ok)
            #expect(call.headers[.wwwAuthenticate] == nil)

            // A token sent anyway is ignored, and not forwarded.
            var headers = mcpHeaders(method: "tools/call", name: "write_ticket")
            headers[.authorization] = "Bearer some-token"
            let scoped = try await client.execute(
                uri: "/mcp", method: .post, headers: headers, body: AuthFixture.call("write_ticket", ["title": "t"]))
            #expect(scoped.status == .ok)
        }
        #expect(upstream.requests.map(\.url) == ["https://tickets.example.test/api/tickets", "https://tickets.example.test/api/tickets"])
        #expect(upstream.requests.allSatisfy { $0.header("Authorization") == nil })
    }

    @Test func authEnabledWithoutPublicURLDoesNotFailOpen() async throws {
        let upstream = ScriptedUpstream()
        try await withGateway(["tickets.yaml": AuthFixture.connector], upstream: upstream, configure: { $0.auth = AuthFixture.authSettings() }) { client, gateway in
            let call = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "tools/call", name: "list_tickets"),
                body: AuthFixture.call("list_tickets"))
            // Regression (fixed), this used to fail: Gateway.init builds the resource server only when
            // `auth.enabled` AND `publicURL` is set; with auth enabled but no
            // public URL the endpoint silently serves everyone (fail-open).
            // GatewaySettings(reader:) refuses this combination, but the
            // public initialiser does not.
            #expect(call.status != .ok)
        }
        #expect(upstream.requests.isEmpty)
    }
}
