import Caller
import ConnectorModel
import GatehouseJSON
import GatehouseTesting
import Synchronization
import Testing

@testable import Upstream

/// A credential source that hands out numbered tokens and records what it
/// was asked, so the tests see when the invoker asks for a fresh one.
final class CountingCredentials: CredentialSource {
    struct Ask: Sendable, Equatable {
        var subject: String?
        var refused: String?
    }

    let asks = Mutex<[Ask]>([])
    let failure: CredentialFailure?
    let onRejection: CredentialFailure?

    init(failure: CredentialFailure? = nil, onRejection: CredentialFailure? = nil) {
        self.failure = failure
        self.onRejection = onRejection
    }

    func credential(for target: UpstreamTarget, caller: CallerIdentity, refused: UpstreamCredential?)
        async throws(CredentialFailure) -> UpstreamCredential
    {
        let count = asks.withLock {
            $0.append(Ask(subject: caller.subject, refused: refused?.value))
            return $0.count
        }
        if let failure { throw failure }
        let value = "token-\(caller.subject ?? "service")-\(count)"
        return UpstreamCredential(value: value, redactor: SecretRedactor(secrets: [value]))
    }

    func rejected(_ credential: UpstreamCredential, for target: UpstreamTarget, caller: CallerIdentity) async -> CredentialFailure? {
        onRejection
    }
}

@Suite struct InvokerCredentialTests {
    let alice = CallerIdentity(subject: "alice")

    func tool(_ auth: String) throws -> DecodedTool {
        try decodeTool(connectorLines: "auth:\n  \(auth)\n")
    }

    static let exchange = "token_exchange: { token_url: https://sts.example/token, client_id: g, audience: api }"

    @Test func theObtainedCredentialIsSentAsABearerToken() async throws {
        let upstream = ScriptedUpstream(.respond(.json(#"{"ok":true}"#)))
        let credentials = CountingCredentials()
        let outcome = await ToolInvoker(client: upstream, credentials: credentials).call(try tool(Self.exchange), caller: alice)
        #expect(outcome.kind == .ok)
        #expect(upstream.requests.first?.header("Authorization") == "Bearer token-alice-1")
        #expect(credentials.asks.withLock { $0 } == [.init(subject: "alice", refused: nil)])
    }

    @Test func perUserKindsRefuseAnonymousCallersWithoutAsking() async throws {
        let upstream = ScriptedUpstream()
        let credentials = CountingCredentials()
        let outcome = await ToolInvoker(client: upstream, credentials: credentials).call(try tool(Self.exchange))
        #expect(outcome.kind == .unauthenticated)
        #expect(outcome.result.isError)
        #expect(outcome.result.firstText?.contains("not signed in") == true)
        #expect(upstream.started == 0)
        #expect(credentials.asks.withLock { $0.isEmpty })
    }

    @Test func aServiceTokenNeedsNoCaller() async throws {
        let upstream = ScriptedUpstream()
        let outcome = await ToolInvoker(client: upstream, credentials: CountingCredentials()).call(
            try tool("client_credentials: { token_url: https://idp.example/token, client_id: g }"))
        #expect(outcome.kind == .ok)
        #expect(upstream.requests.first?.header("Authorization") == "Bearer token-service-1")
    }

    @Test func a401GetsOneFreshCredentialAndOneRetry() async throws {
        let upstream = ScriptedUpstream([.respond(.json(#"{"error":"expired"}"#, status: 401)), .respond(.json(#"{"ok":true}"#))])
        let credentials = CountingCredentials()
        let outcome = await ToolInvoker(client: upstream, credentials: credentials).call(try tool(Self.exchange), caller: alice)
        #expect(outcome.kind == .ok)
        #expect(outcome.attempts == 2)
        #expect(upstream.requests.map { $0.header("Authorization") } == ["Bearer token-alice-1", "Bearer token-alice-2"])
        #expect(credentials.asks.withLock { $0 } == [.init(subject: "alice", refused: nil), .init(subject: "alice", refused: "token-alice-1")])
    }

    @Test func aSecond401IsNotRetriedAgainAndItsBodyIsNotQuoted() async throws {
        let upstream = ScriptedUpstream(.respond(.json(#"{"error":"bad token","echo":"Bearer token-alice-2 from header"}"#, status: 401)))
        let outcome = await ToolInvoker(client: upstream, credentials: CountingCredentials()).call(try tool(Self.exchange), caller: alice)
        #expect(upstream.started == 2)
        #expect(outcome.kind == .upstreamError)
        let text = try #require(outcome.result.firstText)
        #expect(text.contains("answered 401"))
        #expect(!text.contains("token-alice"))
        #expect(!text.contains("bad token"))
    }

    @Test func aSecond401CanAskTheUserToLinkAgain() async throws {
        let upstream = ScriptedUpstream(.respond(.json("{}", status: 401)))
        let action = UserAction(elicitationID: "e1", url: "https://gw.example/link/abc", message: "Link your account again")
        let credentials = CountingCredentials(onRejection: CredentialFailure(.userAction(action), message: "Link again at https://gw.example/link/abc"))
        let outcome = await ToolInvoker(client: upstream, credentials: credentials).call(
            try tool("linked_account: { issuer: https://crm.example, client_id: g }"), caller: alice)
        #expect(outcome.kind == .userActionRequired)
        #expect(outcome.userAction == action)
    }

    @Test func aForbiddenAnswerIsNotQuotedEither() async throws {
        let upstream = ScriptedUpstream(.respond(.json(#"{"detail":"key abcd1234 lacks scope"}"#, status: 403)))
        let outcome = await ToolInvoker(client: upstream, credentials: CountingCredentials()).call(
            try tool("user_api_key: { header: X-Key }"), caller: alice)
        #expect(upstream.started == 1)
        #expect(outcome.result.firstText?.contains("abcd1234") == false)
        #expect(outcome.result.firstText?.contains("403") == true)
    }

    @Test func noLinkYetMeansNoUpstreamCall() async throws {
        let upstream = ScriptedUpstream()
        let action = UserAction(elicitationID: "e2", url: "https://gw.example/link/xyz", message: "Link your Example CRM account")
        let credentials = CountingCredentials(failure: CredentialFailure(.userAction(action), message: "Open https://gw.example/link/xyz"))
        let outcome = await ToolInvoker(client: upstream, credentials: credentials).call(
            try tool("linked_account: { issuer: https://crm.example, client_id: g }"), caller: alice)
        #expect(upstream.started == 0)
        #expect(outcome.kind == .userActionRequired)
        #expect(outcome.userAction?.url == "https://gw.example/link/xyz")
        #expect(outcome.result.isError)
    }

    @Test func anUnavailableCredentialIsAToolError() async throws {
        let upstream = ScriptedUpstream()
        let credentials = CountingCredentials(failure: CredentialFailure(.unavailable, message: "the token endpoint sts.example answered 503"))
        let outcome = await ToolInvoker(client: upstream, credentials: credentials).call(try tool(Self.exchange), caller: alice)
        #expect(outcome.kind == .credentialUnavailable)
        #expect(outcome.result.firstText == "t could not get a credential for its API: the token endpoint sts.example answered 503")
        #expect(upstream.started == 0)
    }

    @Test func theCredentialIsRedactedFromTheAnswer() async throws {
        let upstream = ScriptedUpstream(.respond(.json(#"{"you_sent":"token-alice-1"}"#)))
        let outcome = await ToolInvoker(client: upstream, credentials: CountingCredentials()).call(try tool(Self.exchange), caller: alice)
        #expect(outcome.result.firstText == #"{"you_sent":"[REDACTED]"}"#)
    }

    @Test func aPersonalKeyGoesWhereTheConnectorSays() async throws {
        let upstream = ScriptedUpstream()
        let credentials = KeyCredentials()
        _ = await ToolInvoker(client: upstream, credentials: credentials).call(try tool("user_api_key: { query: key }"), caller: alice)
        #expect(upstream.requests.first?.url == "https://api.example.com/v2/items?key=k%20y")
    }

    struct KeyCredentials: CredentialSource {
        func credential(for target: UpstreamTarget, caller: CallerIdentity, refused: UpstreamCredential?)
            async throws(CredentialFailure) -> UpstreamCredential
        {
            UpstreamCredential(value: "k y", placement: .query(name: "key"), redactor: .none)
        }
        func rejected(_ credential: UpstreamCredential, for target: UpstreamTarget, caller: CallerIdentity) async -> CredentialFailure? {
            nil
        }
    }
}
