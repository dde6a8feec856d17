import GatehouseJSON
import OAuth
import Synchronization
import Testing

@testable import TokenGrants

/// A token endpoint and metadata documents answering from a script, and
/// recording every form it received.
final class ScriptedEndpoint: AuthHTTPClient {
    struct Post: Sendable {
        var url: String
        var form: [String: String]
        var basic: String?
    }

    let posts = Mutex<[Post]>([])
    let gets = Mutex<[String]>([])
    let answer: @Sendable (String, [String: String]) -> (Int, String)
    let documents: [String: String]
    let delay: Duration

    init(
        documents: [String: String] = [:], delay: Duration = .zero,
        answer: @escaping @Sendable (String, [String: String]) -> (Int, String) = { _, _ in
            (200, #"{"access_token":"at-1","token_type":"Bearer","expires_in":3600}"#)
        }
    ) {
        self.documents = documents
        self.delay = delay
        self.answer = answer
    }

    func get(_ url: String) async throws -> (status: Int, body: [UInt8]) {
        gets.withLock { $0.append(url) }
        guard let document = documents[url] else { return (404, []) }
        return (200, Array(document.utf8))
    }

    func postForm(_ url: String, form: [(String, String)], basicAuth: (user: String, password: String)?) async throws
        -> (status: Int, body: [UInt8])
    {
        let fields = Dictionary(form, uniquingKeysWith: { a, _ in a })
        posts.withLock { $0.append(Post(url: url, form: fields, basic: basicAuth.map { "\($0.user):\($0.password)" })) }
        if delay > .zero { try await Task.sleep(for: delay) }
        let (status, body) = answer(url, fields)
        return (status, Array(body.utf8))
    }

    var received: [Post] { posts.withLock { $0 } }
}

let client = TokenClient(tokenURL: "https://idp.example/token", clientID: "gatehouse", clientSecret: "client-s3cret")

@Suite struct GrantFormTests {
    @Test func clientCredentialsWithBasicAuthentication() async throws {
        let endpoint = ScriptedEndpoint()
        let token = try await TokenGrants(http: endpoint).clientCredentials(
            client, scope: "orders:read", audience: "orders", resource: "https://orders.example")
        #expect(token.accessToken == "at-1")
        #expect(token.expiresIn == 3600)
        let post = try #require(endpoint.received.first)
        #expect(post.url == "https://idp.example/token")
        #expect(post.basic == "gatehouse:client-s3cret")
        #expect(
            post.form == [
                "grant_type": "client_credentials", "scope": "orders:read", "audience": "orders", "resource": "https://orders.example",
            ])
    }

    @Test func clientSecretPostPutsTheCredentialsInTheForm() async throws {
        let endpoint = ScriptedEndpoint()
        var posting = client
        posting.authentication = .post
        _ = try await TokenGrants(http: endpoint).clientCredentials(posting, scope: nil, audience: nil, resource: nil)
        let post = try #require(endpoint.received.first)
        #expect(post.basic == nil)
        #expect(post.form == ["grant_type": "client_credentials", "client_id": "gatehouse", "client_secret": "client-s3cret"])
    }

    @Test func tokenExchangeFollowsRFC8693() async throws {
        let endpoint = ScriptedEndpoint { _, _ in
            (200, #"{"access_token":"x","token_type":"N_A","issued_token_type":"urn:ietf:params:oauth:token-type:jwt","expires_in":60}"#)
        }
        let token = try await TokenGrants(http: endpoint).exchange(
            client, subjectToken: "user-token", subjectTokenType: "urn:ietf:params:oauth:token-type:access_token",
            audience: "orders-api", resource: nil, scope: "read", requestedTokenType: "urn:ietf:params:oauth:token-type:jwt")
        #expect(token.issuedTokenType == "urn:ietf:params:oauth:token-type:jwt")
        #expect(
            endpoint.received.first?.form == [
                "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange", "subject_token": "user-token",
                "subject_token_type": "urn:ietf:params:oauth:token-type:access_token", "audience": "orders-api", "scope": "read",
                "requested_token_type": "urn:ietf:params:oauth:token-type:jwt",
            ])
    }

    @Test func onBehalfOfIsEntrasJWTBearerGrant() async throws {
        let endpoint = ScriptedEndpoint()
        _ = try await TokenGrants(http: endpoint).onBehalfOf(client, assertion: "entra-user-token", scope: "api://orders/.default")
        #expect(
            endpoint.received.first?.form == [
                "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "entra-user-token",
                "scope": "api://orders/.default", "requested_token_use": "on_behalf_of",
            ])
    }

    @Test func refreshKeepsTheRefreshTokenWhenNoneComesBack() async throws {
        let endpoint = ScriptedEndpoint()
        let token = try await TokenGrants(http: endpoint).refresh(client, refreshToken: "rt-1", scope: nil)
        #expect(token.refreshToken == "rt-1")
        #expect(endpoint.received.first?.form == ["grant_type": "refresh_token", "refresh_token": "rt-1"])
        let rotating = ScriptedEndpoint { _, _ in (200, #"{"access_token":"a","token_type":"bearer","refresh_token":"rt-2"}"#) }
        #expect(try await TokenGrants(http: rotating).refresh(client, refreshToken: "rt-1", scope: nil).refreshToken == "rt-2")
    }

    @Test func authorizationCodeSendsTheVerifier() async throws {
        let endpoint = ScriptedEndpoint()
        _ = try await TokenGrants(http: endpoint).authorizationCode(
            client, code: "c0de", redirectURI: "https://gw.example/link/callback", codeVerifier: "v3rifier")
        #expect(
            endpoint.received.first?.form == [
                "grant_type": "authorization_code", "code": "c0de", "redirect_uri": "https://gw.example/link/callback",
                "code_verifier": "v3rifier",
            ])
    }

    @Test(arguments: [
        (400, #"{"error":"invalid_grant","error_description":"refresh token revoked"}"#, GrantFailure.Kind.refused),
        (401, #"{"error":"invalid_client"}"#, .rejectedClient),
        (400, #"{"error":"unauthorized_client"}"#, .rejectedClient),
        (503, "down", .unreachable),
        (400, "no reason given", .refused),
        (400, #"{"error":"invalid_scope"}"#, .badAnswer),
        (200, #"{"token_type":"Bearer"}"#, .badAnswer),
        (200, #"{"access_token":"a","token_type":"mac"}"#, .badAnswer),
    ])
    func failuresAreSortedByWhatCanBeDone(status: Int, body: String, kind: GrantFailure.Kind) async {
        let endpoint = ScriptedEndpoint { _, _ in (status, body) }
        do {
            _ = try await TokenGrants(http: endpoint).refresh(client, refreshToken: "refresh-s3cret", scope: nil)
            Issue.record("expected a failure")
        } catch {
            #expect(error.kind == kind)
            #expect(error.description.contains("idp.example"))
            #expect(!error.description.contains("s3cret"), "no secret or token in \(error.description)")
        }
    }

    @Test func errorDescriptionsAreCleanedAndCut() async {
        let long = String(repeating: "x", count: 500)
        let endpoint = ScriptedEndpoint { _, _ in (400, #"{"error":"invalid_grant","error_description":"bad\n\#(long)"}"#) }
        do {
            _ = try await TokenGrants(http: endpoint).exchange(
                client, subjectToken: "subject-s3cret", subjectTokenType: "t", audience: "a", resource: nil, scope: nil, requestedTokenType: nil)
        } catch {
            #expect(!error.description.contains("\n"))
            #expect(error.description.count < 320)
            #expect(!error.description.contains("s3cret"))
        }
    }

    @Test func anEndpointQuotingACredentialBackDoesNotGetItIntoTheError() async {
        let endpoint = ScriptedEndpoint { _, form in
            (400, #"{"error":"invalid_grant","error_description":"assertion \#(form["assertion"] ?? "") is expired"}"#)
        }
        do {
            _ = try await TokenGrants(http: endpoint).onBehalfOf(client, assertion: "assertion-s3cret-0123456789", scope: "s")
            Issue.record("expected a failure")
        } catch {
            #expect(error.kind == .refused)
            #expect(error.description.contains("[redacted]"))
            #expect(!error.description.contains("s3cret"), "no assertion in \(error.description)")
        }
    }

    @Test func anUnreachableEndpointSaysWhereNotWhat() async {
        struct Down: AuthHTTPClient {
            struct Refused: Error {}
            func get(_ url: String) async throws -> (status: Int, body: [UInt8]) { throw Refused() }
            func postForm(_ url: String, form: [(String, String)], basicAuth: (user: String, password: String)?) async throws
                -> (status: Int, body: [UInt8])
            { throw Refused() }
        }
        await #expect(throws: GrantFailure(kind: .unreachable, description: "the token endpoint at idp.example could not be reached")) {
            try await TokenGrants(http: Down()).onBehalfOf(client, assertion: "a", scope: "s")
        }
    }
}

@Suite struct IssuerDiscoveryTests {
    @Test func rfc8414IsTriedFirstWithThePathInserted() async throws {
        let endpoint = ScriptedEndpoint(documents: [
            "https://idp.example/.well-known/oauth-authorization-server/tenant": #"{"issuer":"https://idp.example/tenant","token_endpoint":"https://idp.example/tenant/token","authorization_endpoint":"https://idp.example/tenant/auth"}"#
        ])
        let found = try await IssuerDiscovery(http: endpoint).endpoints(issuer: "https://idp.example/tenant")
        #expect(found == .init(authorization: "https://idp.example/tenant/auth", token: "https://idp.example/tenant/token"))
    }

    @Test func openIDDiscoveryIsTheFallbackAndResultsAreKept() async throws {
        let endpoint = ScriptedEndpoint(documents: [
            "https://idp.example/.well-known/openid-configuration": #"{"issuer":"https://idp.example","token_endpoint":"https://idp.example/t"}"#
        ])
        let discovery = IssuerDiscovery(http: endpoint)
        #expect(try await discovery.endpoints(issuer: "https://idp.example").token == "https://idp.example/t")
        _ = try await discovery.endpoints(issuer: "https://idp.example")
        #expect(endpoint.gets.withLock { $0.count } == 2)
    }

    @Test func aDocumentNamingAnotherIssuerIsRefused() async {
        let endpoint = ScriptedEndpoint(documents: [
            "https://idp.example/.well-known/oauth-authorization-server": #"{"issuer":"https://evil.example","token_endpoint":"https://evil.example/t"}"#
        ])
        await #expect(throws: GrantFailure.self) { try await IssuerDiscovery(http: endpoint).endpoints(issuer: "https://idp.example") }
    }

    @Test func plainHTTPIsOnlyForLoopback() async {
        await #expect(throws: GrantFailure.self) {
            try await IssuerDiscovery(http: ScriptedEndpoint()).endpoints(issuer: "http://idp.example")
        }
    }
}
