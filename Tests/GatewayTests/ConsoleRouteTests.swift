import Configuration
import Foundation
import GatehouseJSON
import GatehouseTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Gateway

/// The operator console over HTTP, in built-in mode with the identity
/// provider faked at its HTTP seam: sign-in, the admin group, the page
/// with real data after real calls, sign-out, and what a page may not be.
@Suite("Operator console")
struct ConsoleRouteTests {
    static let connector = """
        connector: desk
        description: The help desk.
        base_url: https://desk.example.test/api
        tools:
          - name: list_tickets
            title: List tickets
            description: Lists open tickets.
            path: /tickets
            annotations: { read_only: true }
            parameters:
              status: { type: string, required: true, description: Which tickets }
          - name: close_ticket
            description: Closes a ticket.
            method: POST
            path: /tickets/{id}/close
            annotations: { destructive: true }
            parameters:
              id: { type: string, required: true, description: The ticket }
        """

    static func run(
        files: [String: String] = ["desk.yaml": connector], _ body: @Sendable (BuiltInHarness, any TestClientProtocol) async throws -> Void
    ) async throws {
        let folder = try TemporaryFolder(files)
        try await BuiltInHarness.run(folder: folder.path, settings: ["gatehouse.admin.group": "ops"], outboundHTTP: true, body)
    }

    static func cookies(_ response: TestResponse) -> [String: String] {
        var cookies: [String: String] = [:]
        for header in response.headers[values: .setCookie] {
            let pair = header.prefix { $0 != ";" }
            guard let equals = pair.firstIndex(of: "=") else { continue }
            cookies[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        return cookies
    }

    /// Opens /admin, signs in at the provider with `groups`; the answer to
    /// the return from the provider.
    static func signIn(
        _ harness: BuiltInHarness, _ client: some TestClientProtocol, groups: [String], state override: String? = nil
    ) async throws -> TestResponse {
        let opened = try await client.execute(uri: "/admin", method: .get)
        #expect(opened.status == .seeOther)
        let signIn = BuiltInHarness.query(opened.headers[.location])
        #expect(opened.headers[.location]?.hasPrefix(BuiltInHarness.provider + "/auth?") == true)
        #expect(signIn["redirect_uri"] == BuiltInHarness.publicURL + "/admin/signed-in")
        let setCookie = try #require(opened.headers[.setCookie])
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("Path=/admin") && setCookie.contains("SameSite=Lax"))
        let binding = try #require(cookies(opened)["gatehouse_admin_signin"])
        try harness.providerSignsIn(nonce: try #require(signIn["nonce"]), groups: groups, claims: ["name": "Ada Admin"])
        let state = try override ?? #require(signIn["state"])
        return try await client.execute(
            uri: "/admin/signed-in?code=idp-code&state=\(state)", method: .get, headers: [.cookie: "gatehouse_admin_signin=\(binding)"])
    }

    static func session(_ harness: BuiltInHarness, _ client: some TestClientProtocol) async throws -> String {
        let back = try await signIn(harness, client, groups: ["engineering", "ops"])
        #expect(back.status == .seeOther)
        #expect(back.headers[.location] == BuiltInHarness.publicURL + "/admin")
        return try #require(cookies(back)["gatehouse_admin"])
    }

    @Test func anAdminSignsInAndSeesToolsCallsAndProblems() async throws {
        try await Self.run { harness, client in
            let (access, _, _) = try await AuthorizationServerRouteTests.accessToken(harness, client)
            for _ in 0..<3 { _ = try await AuthorizationServerRouteTests.callTool(client, "list_tickets", ["status": "open"], access: access) }
            harness.upstream.replaceScript([.respond(.json(#"{"error":"gone"}"#, status: 404, reason: "Not Found"))])
            _ = try await AuthorizationServerRouteTests.callTool(client, "list_tickets", ["status": "secret-status"], access: access)

            let session = try await Self.session(harness, client)
            let page = try await client.execute(uri: "/admin", method: .get, headers: [.cookie: "gatehouse_admin=\(session)"])
            #expect(page.status == .ok)
            #expect(page.headers[.xFrameOptions] == "DENY")
            #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(page.headers[.cacheControl] == "no-store")
            let html = String(buffer: page.body)
            #expect(html.contains("Signed in as Ada Admin"))
            #expect(html.contains("id=\"tool-list_tickets\"") && html.contains("id=\"tool-close_ticket\""))
            #expect(html.contains("GET /tickets") && html.contains("POST /tickets/{id}/close"))
            #expect(html.contains("read-only") && html.contains("destructive") && html.contains("status*"))
            #expect(html.contains("sha256:"))
            #expect(html.contains("id=\"no-problems\""))
            // Four calls, one failed: the tally and the recent lines say so.
            #expect(html.contains("<tr id=\"activity-list_tickets\"><td>list_tickets</td><td>4</td><td>25.0%</td>"))
            #expect(html.contains("upstream_error"))
            #expect(!html.contains("secret-status"), "argument values stay out unless the audit log keeps them")
            #expect(!html.contains(access) && !html.contains("idp-secret") && !html.contains("a-store-secret"))
        }
    }

    @Test func problemsInFilesAreShownWhereTheyAre() async throws {
        try await Self.run(files: ["desk.yaml": Self.connector, "broken.yaml": "connector: broken\nbase_url: ftp://nowhere\ntools: []\n"]) {
            harness, client in
            let session = try await Self.session(harness, client)
            let html = String(buffer: try await client.execute(uri: "/admin", method: .get, headers: [.cookie: "gatehouse_admin=\(session)"]).body)
            #expect(html.contains("<code>broken.yaml:2:"))
            #expect(!html.contains("id=\"no-problems\""))
            #expect(html.contains("id=\"tool-list_tickets\""), "the good file is still served")
        }
    }

    @Test func anAdminRevokesAGrantAndItsRefreshTokenStopsWorking() async throws {
        try await Self.run { harness, client in
            let (access, refresh, clientID) = try await AuthorizationServerRouteTests.accessToken(harness, client)
            let session = try await Self.session(harness, client)
            let page = String(buffer: try await client.execute(uri: "/admin", method: .get, headers: [.cookie: "gatehouse_admin=\(session)"]).body)
            #expect(page.contains("id=\"grants\"") && page.contains("id=\"client-\(clientID)\""))
            #expect(page.contains("data-user=\"ada\""))
            #expect(!page.contains(access) && !page.contains(refresh), "no token is ever shown")
            let token = try #require(BuiltInHarness.hidden("csrf_token", in: page))
            let grantID = try #require(BuiltInHarness.hidden("grant", in: page))
            let headers: HTTPFields = [.cookie: "gatehouse_admin=\(session)", .contentType: "application/x-www-form-urlencoded"]

            let forged = try await client.execute(
                uri: "/admin/revoke", method: .post, headers: headers, body: BuiltInHarness.form([("grant", grantID), ("csrf_token", "guess")]))
            #expect(forged.status == .forbidden)
            let revoked = try await client.execute(
                uri: "/admin/revoke", method: .post, headers: headers, body: BuiltInHarness.form([("grant", grantID), ("csrf_token", token)]))
            #expect(revoked.status == .seeOther)
            #expect(revoked.headers[.location] == BuiltInHarness.publicURL + "/admin#grants")

            let refreshed = try await client.execute(
                uri: "/token", method: .post, headers: BuiltInHarness.formHeaders,
                body: BuiltInHarness.form([("grant_type", "refresh_token"), ("refresh_token", refresh), ("client_id", clientID)]))
            #expect(refreshed.status == .badRequest)
            #expect(harness.events.all.contains { $0.kind == .revoked && $0.reason?.contains("revoked in the console by ada") == true })
            let after = String(buffer: try await client.execute(uri: "/admin", method: .get, headers: [.cookie: "gatehouse_admin=\(session)"]).body)
            #expect(after.contains("id=\"no-grants\""))
        }
    }

    @Test func aClientsGrantsAreRevokedTogether() async throws {
        try await Self.run { harness, client in
            let (_, refresh, clientID) = try await AuthorizationServerRouteTests.accessToken(harness, client)
            let session = try await Self.session(harness, client)
            let page = String(buffer: try await client.execute(uri: "/admin", method: .get, headers: [.cookie: "gatehouse_admin=\(session)"]).body)
            let token = try #require(BuiltInHarness.hidden("csrf_token", in: page))
            let revoked = try await client.execute(
                uri: "/admin/revoke", method: .post, headers: [.cookie: "gatehouse_admin=\(session)", .contentType: "application/x-www-form-urlencoded"],
                body: BuiltInHarness.form([("client", clientID), ("csrf_token", token)]))
            #expect(revoked.status == .seeOther)
            let refreshed = try await client.execute(
                uri: "/token", method: .post, headers: BuiltInHarness.formHeaders,
                body: BuiltInHarness.form([("grant_type", "refresh_token"), ("refresh_token", refresh), ("client_id", clientID)]))
            #expect(refreshed.status == .badRequest)
        }
    }

    @Test func anAdminRemovesAUsersLinkedAccount() async throws {
        try await Self.run { harness, client in
            try await harness.server.store.saveUserCredential(subject: "bob", connector: "crm", kind: "linked_account", sealed: [1, 2, 3], now: 1_000)
            try await harness.server.store.saveUserCredential(subject: "bob", connector: "tracker", kind: "api_key", sealed: [4], now: 2_000)
            let session = try await Self.session(harness, client)
            let page = String(buffer: try await client.execute(uri: "/admin", method: .get, headers: [.cookie: "gatehouse_admin=\(session)"]).body)
            #expect(page.contains("data-user=\"bob\" data-connector=\"crm\"") && page.contains("personal key"))
            let token = try #require(BuiltInHarness.hidden("csrf_token", in: page))
            let removed = try await client.execute(
                uri: "/admin/revoke", method: .post, headers: [.cookie: "gatehouse_admin=\(session)", .contentType: "application/x-www-form-urlencoded"],
                body: BuiltInHarness.form([("subject", "bob"), ("connector", "crm"), ("csrf_token", token)]))
            #expect(removed.status == .seeOther)
            #expect(removed.headers[.location] == BuiltInHarness.publicURL + "/admin#linked")
            #expect(try await harness.server.store.userCredentials(subject: "bob").map(\.connector) == ["tracker"])
            #expect(harness.events.all.contains { $0.kind == .unlinked && $0.reason?.contains("crm unlinked in the console by ada") == true })
        }
    }

    @Test func someoneOutsideTheAdminGroupIsRefused() async throws {
        try await Self.run { harness, client in
            let back = try await Self.signIn(harness, client, groups: ["engineering"])
            #expect(back.status == .forbidden)
            #expect(String(buffer: back.body).contains("not as a member of ops"))
            #expect(Self.cookies(back)["gatehouse_admin"] == nil)
            #expect(Self.cookies(back)["gatehouse_admin_signin"] == "", "the sign-in binding is dropped")
            let page = try await client.execute(uri: "/admin", method: .get)
            #expect(page.status == .seeOther, "still no way in")
        }
    }

    @Test func aSignInFromAnotherBrowserOrWithAnotherStateIsRefused() async throws {
        try await Self.run { harness, client in
            let wrongState = try await Self.signIn(harness, client, groups: ["ops"], state: "forged")
            #expect(wrongState.status == .badRequest)
            #expect(Self.cookies(wrongState)["gatehouse_admin"] == nil)
            let noBinding = try await client.execute(uri: "/admin/signed-in?code=idp-code&state=anything", method: .get)
            #expect(noBinding.status == .badRequest)
        }
    }

    @Test func forgedOrExpiredSessionsGetNoPage() async throws {
        try await Self.run { harness, client in
            let session = try await Self.session(harness, client)
            var forged = Array(session)
            forged[forged.count - 2] = forged[forged.count - 2] == "A" ? "B" : "A"
            let page = try await client.execute(uri: "/admin", method: .get, headers: [.cookie: "gatehouse_admin=\(String(forged))"])
            #expect(page.status == .seeOther)
            let unsigned = "YWRtaW4KQWRh.9999999999.x"
            let unsignedPage = try await client.execute(uri: "/admin", method: .get, headers: [.cookie: "gatehouse_admin=\(unsigned)"])
            #expect(unsignedPage.status == .seeOther)
        }
    }

    @Test func signingOutNeedsTheFormTokenAndEndsTheSession() async throws {
        try await Self.run { harness, client in
            let session = try await Self.session(harness, client)
            let page = try await client.execute(uri: "/admin", method: .get, headers: [.cookie: "gatehouse_admin=\(session)"])
            let token = try #require(BuiltInHarness.hidden("csrf_token", in: String(buffer: page.body)))
            let forged = try await client.execute(
                uri: "/admin/sign-out", method: .post, headers: [.cookie: "gatehouse_admin=\(session)", .contentType: "application/x-www-form-urlencoded"],
                body: BuiltInHarness.form([("csrf_token", "guess")]))
            #expect(forged.status == .forbidden)
            let out = try await client.execute(
                uri: "/admin/sign-out", method: .post, headers: [.cookie: "gatehouse_admin=\(session)", .contentType: "application/x-www-form-urlencoded"],
                body: BuiltInHarness.form([("csrf_token", token)]))
            #expect(out.status == .ok)
            #expect(Self.cookies(out)["gatehouse_admin"] == "")
        }
    }

    @Test func withoutAnAdminGroupThereIsNoConsole() async throws {
        let folder = try TemporaryFolder(["desk.yaml": Self.connector])
        try await BuiltInHarness.run(folder: folder.path) { _, client in
            let page = try await client.execute(uri: "/admin", method: .get)
            #expect(page.status == .notFound)
        }
    }
}
