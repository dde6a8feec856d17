import Foundation
import Testing

@testable import AuthorizationServer

@Suite("Authorization requests")
struct AuthorizationRequestTests {
    static let issuer = "https://mcp.example.com"
    static let resource = "https://mcp.example.com/mcp"
    static let redirect = "http://127.0.0.1:33418/callback"
    static let challenge = PKCE.challenge(for: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")

    func withResolver(_ body: (ClientResolver) async throws -> Void) async throws {
        let store = try await SQLiteAuthStore.open(path: ":memory:")
        try await store.migrate()
        try await store.saveClient(StoredClient(client: RegisteredClient(clientID: "c1", origin: .dynamic, redirectURIs: [Self.redirect])))
        try await body(ClientResolver(store: store, fetcher: DocumentServer([:]), hosts: FixedHosts(table: [:]), policy: RedirectURIPolicy()))
        try await store.close()
    }

    func query(_ overrides: [String: String?] = [:], extra: [(String, String)] = []) -> [(name: String, value: String)] {
        var items: [String: String?] = [
            "client_id": "c1", "redirect_uri": Self.redirect, "response_type": "code", "code_challenge": Self.challenge,
            "code_challenge_method": "S256", "state": "xyz", "resource": Self.resource, "scope": "tickets:read tickets:write",
        ]
        for (key, value) in overrides { items[key] = value }
        return items.compactMap { key, value in value.map { (key, $0) } }.sorted { $0.0 < $1.0 } + extra
    }

    func validate(_ query: [(name: String, value: String)], resolver: ClientResolver) async throws(AuthorizationRequest.Refusal)
        -> AuthorizationRequest
    {
        try await AuthorizationRequest.validate(query: query, issuer: Self.issuer, resource: Self.resource, resolver: resolver)
    }

    @Test func aGoodRequest() async throws {
        try await withResolver { resolver in
            let request = try await validate(query(), resolver: resolver)
            #expect(request.client.clientID == "c1" && request.state == "xyz" && request.scopes == ["tickets:read", "tickets:write"])
            #expect(request.codeChallenge == Self.challenge)
        }
    }

    /// Untrusted client or redirect URI: a page, never a redirect.
    @Test(arguments: [
        ["client_id": String?.none], ["client_id": "unknown"], ["redirect_uri": String?.none],
        ["redirect_uri": "http://127.0.0.1:33418/other"], ["redirect_uri": "https://evil.example/cb"],
    ])
    func refusedOnAPage(overrides: [String: String?]) async throws {
        try await withResolver { resolver in
            do {
                _ = try await validate(query(overrides), resolver: resolver)
                Issue.record("accepted")
            } catch let error as AuthorizationRequest.Refusal {
                guard case .page = error else { Issue.record("redirected: \(error)"); return }
            }
        }
    }

    @Test(arguments: [
        (["response_type": "token"] as [String: String?], "unsupported_response_type"),
        (["code_challenge": String?.none], "invalid_request"),
        (["code_challenge_method": "plain"], "invalid_request"),
        (["code_challenge_method": String?.none], "invalid_request"),
        (["code_challenge": "short"], "invalid_request"),
        (["resource": "https://other.example/mcp"], "invalid_target"),
    ])
    func refusedToTheClient(overrides: [String: String?], error: String) async throws {
        try await withResolver { resolver in
            do {
                _ = try await validate(query(overrides), resolver: resolver)
                Issue.record("accepted")
            } catch let refusal as AuthorizationRequest.Refusal {
                guard case .redirect(let url) = refusal else { Issue.record("not redirected: \(refusal)"); return }
                let items = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []
                #expect(url.absoluteString.hasPrefix(Self.redirect + "?"))
                #expect(items.first { $0.name == "error" }?.value == error)
                #expect(items.first { $0.name == "state" }?.value == "xyz")
                #expect(items.first { $0.name == "iss" }?.value == Self.issuer)
            }
        }
    }

    @Test func repeatedParametersAreRefused() async throws {
        try await withResolver { resolver in
            do {
                _ = try await validate(query(extra: [("scope", "more")]), resolver: resolver)
                Issue.record("accepted")
            } catch let refusal as AuthorizationRequest.Refusal {
                guard case .redirect(let url) = refusal else { Issue.record("not redirected"); return }
                #expect(url.absoluteString.contains("error=invalid_request"))
            }
        }
    }

    @Test func redirectsKeepTheClientsQueryAndEncodePlus() {
        let url = AuthorizationRequest.redirect(
            URL(string: "https://app.example.com/cb?tenant=a")!, adding: [URLQueryItem(name: "code", value: "a+b/c")], state: "s 1",
            issuer: Self.issuer)
        #expect(url.absoluteString == "https://app.example.com/cb?tenant=a&code=a%2Bb/c&state=s%201&iss=https://mcp.example.com")
    }
}
