import AuthorizationServer
import Foundation
import GatehouseJSON
import GatehouseTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OAuthTestSupport
import Testing

@testable import Gateway

/// Calling APIs as the signed-in user, through the gateway's routes in
/// built-in mode: the identity provider, the linked service and the token
/// endpoints are faked at their HTTP seam, the store is a real SQLite one.
@Suite("Per-user credentials over HTTP")
struct UserCredentialRouteTests {
    static let service = "http://127.0.0.1:4594"
    static let connectors = [
        "crm.yaml": """
            connector: crm
            base_url: https://crm.example.com
            auth:
              linked_account:
                title: Example CRM
                authorization_url: \(service)/crm/authorize
                token_url: \(service)/crm/token
                client_id: crm-client
                client_secret: crm-client-secret
                scope: contacts.read
            tools:
              - { name: crm_me, description: Who I am at the CRM., path: /me }
            """,
        "tracker.yaml": """
            connector: tracker
            base_url: https://tracker.example.com
            auth:
              user_api_key: { header: Authorization, prefix: "Token ", title: Tracker, instructions: Create one under Settings. }
            tools:
              - { name: tracker_me, description: Who I am at the tracker., path: /me }
            """,
        "svc.yaml": """
            connector: svc
            base_url: https://svc.example.com
            auth:
              client_credentials: { token_url: "\(service)/svc/token", client_id: svc-client, client_secret: svc-secret, scope: svc.read }
            tools:
              - { name: svc_ping, description: Ping., path: /ping }
            """,
        "idp.yaml": """
            connector: idp
            base_url: https://api.example.com
            auth:
              sign_in_token: {}
            tools:
              - { name: idp_me, description: Who I am at the team's API., path: /me }
            """,
    ]

    static func run(_ body: @Sendable (BuiltInHarness, any TestClientProtocol, String) async throws -> Void) async throws {
        let folder = try TemporaryFolder(connectors)
        try await BuiltInHarness.run(folder: folder.path, outboundHTTP: true) { harness, client in
            let (access, _, _) = try await AuthorizationServerRouteTests.accessToken(harness, client)
            try await body(harness, client, access)
        }
    }

    static func call(_ client: some TestClientProtocol, _ tool: String, _ access: String) async throws -> JSONValue {
        try await AuthorizationServerRouteTests.callTool(client, tool, access: access)
    }

    static func text(_ result: JSONValue) -> String { AuthorizationServerRouteTests.text(result) }

    /// The link a tool error gives a client without URL elicitation.
    static func link(in result: JSONValue) throws -> String {
        let text = Self.text(result)
        let start = try #require(text.range(of: BuiltInHarness.publicURL + "/link/"))
        let rest = text[start.lowerBound...]
        return String(rest.prefix { !$0.isWhitespace })
    }

    static func path(_ url: String) -> String { String(url.dropFirst(BuiltInHarness.publicURL.count)) }

    static func cookie(_ response: TestResponse) -> String? {
        response.headers[.setCookie].map { String($0.prefix { $0 != ";" }) }
    }

    /// Opens the link and signs in at the provider as `subject`; returns the
    /// answer to the sign-in's return and the browser's cookie.
    static func openAndSignIn(
        _ harness: BuiltInHarness, _ client: some TestClientProtocol, link: String, subject: String = "ada"
    ) async throws -> (TestResponse, String) {
        let opened = try await client.execute(uri: path(link), method: .get)
        #expect(opened.status == .seeOther)
        let cookie = try #require(Self.cookie(opened))
        #expect(opened.headers[.setCookie]?.contains("HttpOnly") == true)
        let signIn = BuiltInHarness.query(opened.headers[.location])
        #expect(opened.headers[.location]?.hasPrefix(BuiltInHarness.provider + "/auth?") == true)
        #expect(signIn["redirect_uri"] == BuiltInHarness.publicURL + "/link/signed-in")
        try harness.providerSignsIn(nonce: try #require(signIn["nonce"]), groups: [], claims: ["sub": .string(subject)])
        let back = try await client.execute(
            uri: "/link/signed-in?code=idp-code&state=\(try #require(signIn["state"]))", method: .get, headers: [.cookie: cookie])
        return (back, cookie)
    }

    @Test func aLinkedAccountIsLinkedInTheBrowserAndThenUsed() async throws {
        try await Self.run { harness, client, access in
            let first = try await Self.call(client, "crm_me", access)
            #expect(first["isError"] == true)
            #expect(harness.upstream.requests.isEmpty, "no link: the API is not called")
            let link = try Self.link(in: first)
            #expect(Self.text(first).contains("Example CRM"))

            let (signedIn, cookie) = try await Self.openAndSignIn(harness, client, link: link)
            #expect(signedIn.status == .seeOther)
            let authorize = BuiltInHarness.query(signedIn.headers[.location])
            #expect(signedIn.headers[.location]?.hasPrefix(Self.service + "/crm/authorize?") == true)
            #expect(authorize["client_id"] == "crm-client")
            #expect(authorize["code_challenge_method"] == "S256")
            #expect(authorize["redirect_uri"] == BuiltInHarness.publicURL + "/link/callback")
            #expect(authorize["scope"] == "contacts.read")

            harness.idp.answerPosts(
                to: Self.service + "/crm/token",
                json: ["access_token": "crm-access-1", "token_type": "Bearer", "refresh_token": "crm-refresh-1", "expires_in": 3600])
            let done = try await client.execute(
                uri: "/link/callback?code=crm-code&state=\(try #require(authorize["state"]))", method: .get, headers: [.cookie: cookie])
            #expect(done.status == .ok)
            #expect(String(buffer: done.body).contains("Your Example CRM account is linked."))
            let exchange = try #require(harness.idp.posts.last)
            #expect(exchange.field("code_verifier") != nil && exchange.field("code") == "crm-code")
            #expect(exchange.user == "crm-client" && exchange.password == "crm-client-secret")

            let second = try await Self.call(client, "crm_me", access)
            #expect(second["isError"] != true, "\(Self.text(second))")
            #expect(harness.upstream.requests.last?.header("Authorization") == "Bearer crm-access-1")

            // The link is spent, and the provider's answer cannot be replayed.
            #expect(try await client.execute(uri: Self.path(link), method: .get).status == .gone)
            let replay = try await client.execute(
                uri: "/link/callback?code=crm-code&state=\(try #require(authorize["state"]))", method: .get, headers: [.cookie: cookie])
            #expect(replay.status == .badRequest)
            #expect(harness.events.all.contains { $0.kind == .linked && $0.subject == "ada" })
        }
    }

    @Test func aLinkOpenedBySomeoneElseLinksNothing() async throws {
        try await Self.run { harness, client, access in
            let link = try Self.link(in: try await Self.call(client, "crm_me", access))
            let (answer, _) = try await Self.openAndSignIn(harness, client, link: link, subject: "eve")
            #expect(answer.status == .forbidden)
            #expect(String(buffer: answer.body).contains("different person"))
            #expect(harness.events.all.contains { $0.kind == .refused && $0.reason?.contains("another user") == true })
            #expect(try await harness.server.store.userCredentials(subject: "ada").isEmpty)
            #expect(try await harness.server.store.userCredentials(subject: "eve").isEmpty)
        }
    }

    @Test func aStepFromAnotherBrowserIsRefused() async throws {
        try await Self.run { harness, client, access in
            let link = try Self.link(in: try await Self.call(client, "crm_me", access))
            let opened = try await client.execute(uri: Self.path(link), method: .get)
            let signIn = BuiltInHarness.query(opened.headers[.location])
            try harness.providerSignsIn(nonce: try #require(signIn["nonce"]), groups: [])
            let elsewhere = try await client.execute(
                uri: "/link/signed-in?code=idp-code&state=\(try #require(signIn["state"]))", method: .get,
                headers: [.cookie: "gatehouse_link_0000000000000000=forged"])
            #expect(elsewhere.status == .badRequest)
        }
    }

    @Test func aPersonalKeyIsEnteredOnTheFormAndSentAsConfigured() async throws {
        try await Self.run { harness, client, access in
            let link = try Self.link(in: try await Self.call(client, "tracker_me", access))
            let (form, cookie) = try await Self.openAndSignIn(harness, client, link: link)
            #expect(form.status == .ok)
            let html = String(buffer: form.body)
            #expect(html.contains("Create one under Settings."))
            #expect(form.headers[.xFrameOptions] == "DENY")
            let token = try #require(BuiltInHarness.hidden("flow", in: html))
            let saved = try await client.execute(
                uri: "/link/key", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie],
                body: BuiltInHarness.form([("flow", token), ("key", "  tr-key-123  ")]))
            #expect(saved.status == .ok)
            let stored = try #require(try await harness.server.store.userCredential(subject: "ada", connector: "tracker"))
            #expect(!stored.sealed.contains(Array("tr-key-123".utf8)), "stored sealed")

            let result = try await Self.call(client, "tracker_me", access)
            #expect(result["isError"] != true)
            #expect(harness.upstream.requests.last?.header("Authorization") == "Token tr-key-123")
            // The form cannot be posted twice.
            let again = try await client.execute(
                uri: "/link/key", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie],
                body: BuiltInHarness.form([("flow", token), ("key", "other")]))
            #expect(again.status == .badRequest)
        }
    }

    @Test func aRefusedPersonalKeyIsForgottenAndAskedForAgain() async throws {
        try await Self.run { harness, client, access in
            let stored = try PersonalCredential.apiKey("revoked-key").json.jsonBytes
            _ = try await harness.server.store.saveUserCredential(
                subject: "ada", connector: "tracker", kind: "api_key", sealed: try harness.server.box.seal(stored), now: 1)
            harness.upstream.replaceScript([.respond(.json(#"{"detail":"bad key revoked-key"}"#, status: 401))])
            let result = try await Self.call(client, "tracker_me", access)
            #expect(result["isError"] == true)
            #expect(!Self.text(result).contains("revoked-key"))
            #expect(Self.text(result).contains("/link/"))
            #expect(try await harness.server.store.userCredential(subject: "ada", connector: "tracker") == nil)
        }
    }

    /// Stores a linked account for ada whose access token has expired.
    static func storeExpiredLink(_ harness: BuiltInHarness) async throws {
        let expired = PersonalCredential.linkedAccount(accessToken: "crm-old", refreshToken: "crm-refresh-1", expiresAt: 1)
        _ = try await harness.server.store.saveUserCredential(
            subject: "ada", connector: "crm", kind: "linked_account", sealed: try harness.server.box.seal(expired.json.jsonBytes), now: 1)
    }

    @Test func anExpiredLinkIsRefreshedOnceForManyCallsWithRotation() async throws {
        try await Self.run { harness, client, access in
            try await Self.storeExpiredLink(harness)
            harness.idp.answerPosts(
                to: Self.service + "/crm/token",
                json: ["access_token": "crm-new", "token_type": "Bearer", "refresh_token": "crm-refresh-2", "expires_in": 3600])
            harness.idp.delayAnswers(by: .milliseconds(50))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let result = try await Self.call(client, "crm_me", access)
                        #expect(result["isError"] != true)
                    }
                }
                try await group.waitForAll()
            }
            let refreshes = harness.idp.posts.filter { $0.url == Self.service + "/crm/token" }
            #expect(refreshes.count == 1)
            #expect(refreshes.first?.field("grant_type") == "refresh_token" && refreshes.first?.field("refresh_token") == "crm-refresh-1")
            #expect(harness.upstream.requests.allSatisfy { $0.header("Authorization") == "Bearer crm-new" })
            let stored = try #require(try await harness.server.store.userCredential(subject: "ada", connector: "crm"))
            let opened = try JSONParser.parse(try harness.server.box.open(stored.sealed))
            #expect(opened["refresh_token"] == "crm-refresh-2", "the rotated refresh token is kept")
        }
    }

    @Test func aRefusedRefreshAsksTheUserToLinkAgain() async throws {
        try await Self.run { harness, client, access in
            try await Self.storeExpiredLink(harness)
            harness.idp.answerPosts(to: Self.service + "/crm/token", json: ["error": "invalid_grant"], status: 400)
            let result = try await Self.call(client, "crm_me", access)
            #expect(result["isError"] == true)
            #expect(Self.text(result).contains("again"))
            _ = try Self.link(in: result)
            #expect(harness.upstream.requests.isEmpty)
            #expect(try await harness.server.store.userCredential(subject: "ada", connector: "crm") == nil)
        }
    }

    @Test func aServiceTokenIsFetchedOnceAndRenewedAfterA401() async throws {
        try await Self.run { harness, client, access in
            harness.idp.answerPosts(to: Self.service + "/svc/token", json: ["access_token": "svc-1", "token_type": "Bearer", "expires_in": 3600])
            for _ in 0..<3 { _ = try await Self.call(client, "svc_ping", access) }
            #expect(harness.idp.posts.filter { $0.url == Self.service + "/svc/token" }.count == 1)
            #expect(harness.upstream.requests.map { $0.header("Authorization") } == Array(repeating: "Bearer svc-1", count: 3))
            let form = try #require(harness.idp.posts.last { $0.url == Self.service + "/svc/token" })
            #expect(form.field("grant_type") == "client_credentials" && form.field("scope") == "svc.read")

            harness.idp.answerPosts(to: Self.service + "/svc/token", json: ["access_token": "svc-2", "token_type": "Bearer", "expires_in": 3600])
            harness.upstream.replaceScript([.respond(.json("{}", status: 401)), .respond(.json(#"{"ok":true}"#))])
            let renewed = try await Self.call(client, "svc_ping", access)
            #expect(renewed["isError"] != true)
            #expect(harness.upstream.requests.suffix(2).map { $0.header("Authorization") } == ["Bearer svc-1", "Bearer svc-2"])
        }
    }

    @Test func theSignInTokenIsSentAndTheMCPTokenNeverIs() async throws {
        try await Self.run { harness, client, access in
            let result = try await Self.call(client, "idp_me", access)
            #expect(result["isError"] != true, "\(Self.text(result))")
            let sent = harness.upstream.requests.last?.header("Authorization")
            #expect(sent == "Bearer idp-access")
            #expect(harness.upstream.requests.allSatisfy { request in !request.headers.contains { $0.value.contains(access) } })
        }
    }

    @Test func aSignInThatCannotBeRenewedAsksToReconnectAndReconnectingFixesIt() async throws {
        try await Self.run { harness, client, access in
            try await harness.server.upstreamTokens.save(
                UpstreamTokens(accessToken: "idp-old", refreshToken: "idp-refresh", expiresAt: 1), for: "ada", now: 1)
            harness.idp.answerPosts(to: BuiltInHarness.provider + "/token", json: ["error": "invalid_grant"], status: 400)
            let refused = try await Self.call(client, "idp_me", access)
            #expect(refused["isError"] == true)
            #expect(Self.text(refused).contains("Reconnect this connector"))
            #expect(harness.upstream.requests.isEmpty)
            // Signing in again stores a fresh identity-provider token.
            let (again, _, _) = try await AuthorizationServerRouteTests.accessToken(harness, client)
            let fixed = try await Self.call(client, "idp_me", again)
            #expect(fixed["isError"] != true, "\(Self.text(fixed))")
            #expect(harness.upstream.requests.last?.header("Authorization") == "Bearer idp-access")
        }
    }

    @Test func theAccountsPageListsLinksAndUnlinksWithItsFormToken() async throws {
        try await Self.run { harness, client, access in
            let sealed = try harness.server.box.seal(PersonalCredential.apiKey("k-1").json.jsonBytes)
            _ = try await harness.server.store.saveUserCredential(subject: "ada", connector: "tracker", kind: "api_key", sealed: sealed, now: 1)
            let start = try await client.execute(uri: "/links", method: .get)
            #expect(start.status == .seeOther)
            let cookie = try #require(Self.cookie(start))
            let signIn = BuiltInHarness.query(start.headers[.location])
            try harness.providerSignsIn(nonce: try #require(signIn["nonce"]), groups: [])
            let back = try await client.execute(
                uri: "/link/signed-in?code=c&state=\(try #require(signIn["state"]))", method: .get, headers: [.cookie: cookie])
            #expect(back.status == .seeOther)
            let session = try #require(Self.cookie(back))
            let page = try await client.execute(uri: "/links", method: .get, headers: [.cookie: session])
            let html = String(buffer: page.body)
            #expect(html.contains("Tracker") && html.contains("personal key"))
            #expect(!html.contains("k-1"))
            let token = try #require(BuiltInHarness.hidden("csrf_token", in: html))

            let forged = try await client.execute(
                uri: "/links/unlink", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .cookie: session],
                body: BuiltInHarness.form([("connector", "tracker"), ("csrf_token", "forged")]))
            #expect(forged.status == .forbidden)
            let unlinked = try await client.execute(
                uri: "/links/unlink", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .cookie: session],
                body: BuiltInHarness.form([("connector", "tracker"), ("csrf_token", token)]))
            #expect(unlinked.status == .seeOther)
            #expect(try await harness.server.store.userCredential(subject: "ada", connector: "tracker") == nil)
            #expect(harness.events.all.contains { $0.kind == .unlinked && $0.subject == "ada" })
        }
    }

    @Test func statusNamesEachConnectorsAuthKindAndNoCredential() async throws {
        try await Self.run { harness, client, _ in
            let status = try await client.execute(uri: "/status", method: .get)
            let files = try status.json()["files"]?.arrayValue ?? []
            let kinds = Dictionary(uniqueKeysWithValues: files.compactMap { file -> (String, String)? in
                guard let name = file["connector"]?.stringValue, let auth = file["auth"]?.stringValue else { return nil }
                return (name, auth)
            })
            #expect(kinds == ["crm": "linked_account", "tracker": "user_api_key", "svc": "client_credentials", "idp": "sign_in_token"])
            let text = String(buffer: status.body)
            #expect(!text.contains("crm-client-secret") && !text.contains("svc-secret"))
        }
    }

    @Test func anonymousCallersAreRefusedByPerUserTools() async throws {
        let upstream = ScriptedUpstream()
        try await withGateway(Self.connectors, upstream: upstream) { client, _ in
            let answer = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "tools/call", name: "crm_me"), body: AuthFixture.call("crm_me"))
            let result = try #require(try answer.json()["result"])
            #expect(result["isError"] == true)
            #expect(AuthorizationServerRouteTests.text(result).contains("not signed in"))
            #expect(upstream.requests.isEmpty)
        }
    }
}
