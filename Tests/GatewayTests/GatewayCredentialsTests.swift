import AuthorizationServer
import Caller
import ConnectorModel
import Foundation
import GatehouseJSON
import OAuth
import OAuthTestSupport
import Synchronization
import TokenGrants
import Testing
import Upstream

@testable import Gateway

/// The credential source on its own: what reaches the token endpoints when
/// many calls arrive at once, and that no user's token answers another's call.
@Suite struct GatewayCredentialsTests {
    static let sts = "https://sts.example/token"

    func target(_ auth: UpstreamAuth, connector: String = "orders") throws -> UpstreamTarget {
        UpstreamTarget(connector: connector, baseURL: try BaseURL(parsing: "https://orders.example"), auth: auth)
    }

    let exchange = UpstreamAuth.tokenExchange(
        TokenExchangeGrant(
            style: .rfc8693, client: OAuthClientSettings(endpoint: .tokenURL(sts), clientID: "gatehouse", clientSecret: "sts-secret"),
            audience: "orders-api"))

    /// A token endpoint that issues a token naming the subject token it got,
    /// so a test can tell whose token came back.
    final class ExchangeEndpoint: AuthHTTPClient {
        let forms = Mutex<[[String: String]]>([])
        func get(_ url: String) async throws -> (status: Int, body: [UInt8]) { (404, []) }
        func postForm(_ url: String, form: [(String, String)], basicAuth: (user: String, password: String)?) async throws
            -> (status: Int, body: [UInt8])
        {
            let fields = Dictionary(form, uniquingKeysWith: { a, _ in a })
            forms.withLock { $0.append(fields) }
            try await Task.sleep(for: .milliseconds(30))
            let subject = fields["subject_token"] ?? fields["assertion"] ?? "service"
            return (200, JSONValue.object(["access_token": .string("for-\(subject)"), "token_type": "Bearer", "expires_in": 3600]).jsonBytes)
        }
        var count: Int { forms.withLock { $0.count } }
    }

    func credentials(_ http: any AuthHTTPClient) -> GatewayCredentials {
        GatewayCredentials(
            grants: TokenGrants(http: http), clients: OAuthClientResolver(discovery: IssuerDiscovery(http: http)), signIn: nil,
            personal: nil)
    }

    func caller(_ subject: String) -> CallerIdentity {
        var caller = CallerIdentity(subject: subject)
        caller.presentedToken = PresentedToken("mcp-token-of-\(subject)")
        return caller
    }

    @Test func aHundredFirstCallsOfOneUserCauseOneExchange() async throws {
        let endpoint = ExchangeEndpoint()
        let source = credentials(endpoint)
        let target = try target(exchange)
        let values = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<100 {
                group.addTask { try await source.credential(for: target, caller: caller("alice"), refused: nil).value }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(endpoint.count == 1)
        #expect(values == ["for-mcp-token-of-alice"])
        let form = try #require(endpoint.forms.withLock { $0.first })
        #expect(form["subject_token"] == "mcp-token-of-alice")
        #expect(form["audience"] == "orders-api")
    }

    @Test func usersNeverGetEachOthersTokensUnderConcurrency() async throws {
        let endpoint = ExchangeEndpoint()
        let source = credentials(endpoint)
        let target = try target(exchange)
        let results = try await withThrowingTaskGroup(of: (String, String).self) { group in
            for i in 0..<300 {
                let user = "user-\(i % 30)"
                group.addTask { (user, try await source.credential(for: target, caller: caller(user), refused: nil).value) }
            }
            return try await group.reduce(into: [(String, String)]()) { $0.append($1) }
        }
        #expect(endpoint.count == 30)
        for (user, value) in results { #expect(value == "for-mcp-token-of-\(user)") }
        // The same user at another API is another exchange.
        _ = try await source.credential(for: try self.target(exchange, connector: "billing"), caller: caller("user-0"), refused: nil)
        #expect(endpoint.count == 31)
    }

    @Test func aRefusedTokenIsExchangedAgainOnce() async throws {
        let endpoint = ExchangeEndpoint()
        let source = credentials(endpoint)
        let target = try target(exchange)
        let first = try await source.credential(for: target, caller: caller("alice"), refused: nil)
        _ = try await source.credential(for: target, caller: caller("alice"), refused: first)
        #expect(endpoint.count == 2)
        _ = try await source.credential(for: target, caller: caller("alice"), refused: nil)
        #expect(endpoint.count == 2)
    }

    @Test func onBehalfOfSendsThePresentedTokenAsTheAssertion() async throws {
        let endpoint = ExchangeEndpoint()
        let obo = UpstreamAuth.tokenExchange(
            TokenExchangeGrant(
                style: .onBehalfOf,
                client: OAuthClientSettings(endpoint: .tokenURL(Self.sts), clientID: "app", clientSecret: "s", scope: "api://orders/.default")))
        let value = try await credentials(endpoint).credential(for: try target(obo), caller: caller("alice"), refused: nil).value
        #expect(value == "for-mcp-token-of-alice")
        let form = try #require(endpoint.forms.withLock { $0.first })
        #expect(form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer")
        #expect(form["requested_token_use"] == "on_behalf_of")
        #expect(form["scope"] == "api://orders/.default")
    }

    @Test func withoutASignInPerUserKindsRefuse() async throws {
        let source = credentials(ExchangeEndpoint())
        await #expect(throws: CredentialFailure.self) {
            try await source.credential(for: try target(exchange), caller: .anonymous, refused: nil)
        }
        let signInTarget = try target(.signInToken)
        do throws(CredentialFailure) {
            _ = try await source.credential(for: signInTarget, caller: caller("alice"), refused: nil)
            Issue.record("sign_in_token needs the built-in authorization server")
        } catch {
            #expect(error.kind == .unavailable)
            #expect(error.message.contains("GATEHOUSE_AUTH=builtin"))
        }
    }

    @Test func storedCredentialsAnswerOnlyTokensOfTheLinkPagesIssuer() async throws {
        let store = try await SQLiteAuthStore.open(path: ":memory:")
        try await store.migrate()
        let http = ExchangeEndpoint()
        let clients = OAuthClientResolver(discovery: IssuerDiscovery(http: http))
        let personal = PersonalCredentials(
            store: store, box: try SecretBox(secret: Array(repeating: 7, count: 32)), grants: TokenGrants(http: http), clients: clients,
            links: LinkIssuer(store: store, publicURL: "https://gw.example", lifetime: 600, now: { 1_000 }),
            issuer: "https://idp.example")
        let source = GatewayCredentials(grants: TokenGrants(http: http), clients: clients, signIn: nil, personal: personal)
        let tracker = try target(.userAPIKey(UserAPIKeyPlacement(location: .header("X-Key"))), connector: "tracker")
        func failure(issuer: String) async -> CredentialFailure? {
            var caller = CallerIdentity(subject: "alice", claims: ["iss": .string(issuer)])
            caller.presentedToken = PresentedToken("t")
            do throws(CredentialFailure) {
                _ = try await source.credential(for: tracker, caller: caller, refused: nil)
                return nil
            } catch {
                return error
            }
        }
        let foreign = await failure(issuer: "https://other-issuer.example")
        #expect(foreign?.kind == .unavailable)
        #expect(foreign?.message.contains("https://idp.example") == true)
        guard case .userAction(let action)? = await failure(issuer: "https://idp.example")?.kind else {
            Issue.record("a user of the link pages' issuer without a key is sent to link")
            try await store.close()
            return
        }
        #expect(action.url.hasPrefix("https://gw.example/link/"))
        try await store.close()
    }

    @Test func anEndpointFailureIsReportedWithoutWhatWasSent() async throws {
        let endpoint = FakeAuthHTTP()
        endpoint.answerPosts(to: Self.sts, json: ["error": "invalid_grant", "error_description": "subject token expired"], status: 400)
        let exchangeTarget = try target(exchange)
        do throws(CredentialFailure) {
            _ = try await credentials(endpoint).credential(for: exchangeTarget, caller: caller("alice"), refused: nil)
            Issue.record("expected a failure")
        } catch {
            #expect(error.kind == .unavailable)
            #expect(error.message.contains("invalid_grant"))
            #expect(!error.message.contains("mcp-token-of-alice"))
            #expect(!error.message.contains("sts-secret"))
        }
    }
}
