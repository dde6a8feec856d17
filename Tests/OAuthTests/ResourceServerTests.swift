import Caller
import Foundation
import GatehouseJSON
import HTTPTypes
import Synchronization
import Testing

import OAuthTestSupport

@testable import OAuth

/// Accepts exactly one token and records what it was asked.
final class StubVerifier: TokenVerifier {
    let token: String
    let caller: CallerIdentity
    private let seen = Mutex<[String]>([])

    init(token: String = "good-token", scopes: Set<String> = ["mcp"]) {
        self.token = token
        self.caller = CallerIdentity(subject: "stub-user", scopes: scopes)
    }

    var tokens: [String] { seen.withLock { $0 } }

    func verify(_ token: String) async throws(AuthFailure) -> CallerIdentity {
        seen.withLock { $0.append(token) }
        guard token == self.token else { throw .invalidToken("the token has expired", reason: "expired") }
        return caller
    }
}

/// The failure `authenticate` throws, or nil when it lets the request in.
func refusal(_ server: ResourceServer, headers: HTTPFields, query: String?) async -> AuthFailure? {
    do {
        _ = try await server.authenticate(headers: headers, query: query)
        return nil
    } catch {
        return error
    }
}

@Suite("Resource server")
struct ResourceServerTests {
    static let resource = "https://mcp.example.test/mcp"
    static let metadataURL = "https://mcp.example.test/.well-known/oauth-protected-resource/mcp"

    static func server(
        requiredScopes: [String] = ["mcp"], verifier: StubVerifier = StubVerifier(), scopes: [String]? = nil
    ) -> ResourceServer {
        var settings = Fixture.settings()
        settings.requiredScopes = requiredScopes
        let supported = scopes ?? requiredScopes + ["tickets:write"]
        return ResourceServer(settings: settings, resource: resource, verifier: verifier, scopesSupported: { supported })
    }

    static func bearer(_ value: String) -> HTTPFields { [.authorization: value] }

    // MARK: authenticate

    @Test func validBearerTokenGivesTheCaller() async throws {
        let verifier = StubVerifier()
        let caller = try await Self.server(verifier: verifier).authenticate(headers: Self.bearer("Bearer good-token"), query: nil)
        #expect(caller.subject == "stub-user")
        #expect(verifier.tokens == ["good-token"])
    }

    @Test func schemeIsCaseInsensitive() async throws {
        let caller = try await Self.server().authenticate(headers: Self.bearer("bearer good-token"), query: "x=1")
        #expect(caller.subject == "stub-user")
    }

    @Test func missingHeaderAsksForAToken() async throws {
        let server = Self.server()
        let refused = try #require(await refusal(server, headers: [:], query: nil))
        #expect(refused.kind == .missingToken)
        #expect(refused.httpStatus == 401)
        let challenge = server.challenge(for: refused)
        #expect(challenge.contains("resource_metadata=\"\(Self.metadataURL)\""))
        // Without a token the client is asked for every scope some tool needs.
        #expect(challenge.contains("scope=\"mcp tickets:write\""))
        #expect(!challenge.contains("error="))
        #expect(challenge == "Bearer resource_metadata=\"\(Self.metadataURL)\", scope=\"mcp tickets:write\"")
    }

    @Test func bearerTokenParsing() throws {
        #expect(try ResourceServer.bearerToken(in: "Bearer abc.def-_~+/=") == "abc.def-_~+/=")
        #expect(try ResourceServer.bearerToken(in: "BEARER   abc  ") == "abc")
        #expect(try ResourceServer.bearerToken(in: "bEaReR x") == "x")
        for value in ["Bearer", "Bearer ", "Bearer\tabc", "Bearex abc", "Bearer a\u{7F}", "Bearer é", "Bearer a b"] {
            #expect(throws: AuthFailure.self, "\(value)") { try ResourceServer.bearerToken(in: value) }
        }
    }

    @Test func basicSchemeIsAnInvalidRequest() async throws {
        let verifier = StubVerifier()
        let refused = try #require(await refusal(Self.server(verifier: verifier), headers: Self.bearer("Basic xyz"), query: nil))
        #expect(refused.kind == .invalidRequest)
        #expect(refused.httpStatus == 400)
        #expect(verifier.tokens.isEmpty)
    }

    @Test func bearerWithoutATokenIsAnInvalidRequest() async throws {
        for value in ["Bearer", "Bearer ", "Bearer    ", "Bearer a b", "Bearer a,b", "Bearertoken"] {
            let refused = await refusal(Self.server(), headers: Self.bearer(value), query: nil)
            #expect(refused?.kind == .invalidRequest, "\(value)")
            #expect(refused?.httpStatus == 400, "\(value)")
        }
    }

    @Test func twoAuthorizationHeadersAreAnInvalidRequest() async throws {
        var headers = HTTPFields()
        headers.append(HTTPField(name: .authorization, value: "Bearer good-token"))
        headers.append(HTTPField(name: .authorization, value: "Bearer good-token"))
        let verifier = StubVerifier()
        let refused = try #require(await refusal(Self.server(verifier: verifier), headers: headers, query: nil))
        #expect(refused.kind == .invalidRequest)
        #expect(refused.httpStatus == 400)
        #expect(verifier.tokens.isEmpty)
    }

    @Test func tokenInTheQueryIsAnInvalidRequest() async throws {
        let verifier = StubVerifier()
        for query in ["access_token=good-token", "a=1&access_token=x", "access_token"] {
            let refused = await refusal(Self.server(verifier: verifier), headers: Self.bearer("Bearer good-token"), query: query)
            #expect(refused?.kind == .invalidRequest, "\(query)")
            #expect(refused?.reason == "token_in_query", "\(query)")
            #expect(refused?.httpStatus == 400)
        }
        #expect(verifier.tokens.isEmpty)
        // A parameter that merely ends in access_token is fine.
        _ = try await Self.server().authenticate(headers: Self.bearer("Bearer good-token"), query: "my_access_token=1")
    }

    @Test func verifierFailurePassesThrough() async throws {
        let server = Self.server()
        let refused = try #require(await refusal(server, headers: Self.bearer("Bearer other"), query: nil))
        #expect(refused.kind == .invalidToken)
        #expect(refused.reason == "expired")
        #expect(refused.httpStatus == 401)
    }

    @Test func missingEndpointScopesAreInsufficient() async throws {
        let verifier = StubVerifier(scopes: ["mcp"])
        let server = Self.server(requiredScopes: ["mcp", "gateway:use"], verifier: verifier)
        let refused = try #require(await refusal(server, headers: Self.bearer("Bearer good-token"), query: nil))
        #expect(refused.kind == .insufficientScope)
        #expect(refused.httpStatus == 403)
        #expect(refused.requiredScopes == ["mcp", "gateway:use"])
        let challenge = server.challenge(for: refused)
        #expect(challenge.contains("error=\"insufficient_scope\""))
        #expect(challenge.contains("scope=\"mcp gateway:use\""))
    }

    // MARK: challenge

    @Test func challengeFormats() {
        let server = Self.server()
        #expect(
            server.challenge(for: .invalidToken("the token has expired", reason: "expired"))
                == "Bearer resource_metadata=\"\(Self.metadataURL)\", scope=\"mcp tickets:write\", error=\"invalid_token\", error_description=\"the token has expired\""
        )
        #expect(
            server.challenge(for: AuthFailure(.invalidRequest, "say \"Bearer\"", reason: "malformed_header"))
                == "Bearer resource_metadata=\"\(Self.metadataURL)\", scope=\"mcp tickets:write\", error=\"invalid_request\", error_description=\"say 'Bearer'\""
        )
        #expect(
            server.challenge(for: AuthFailure(.insufficientScope, "more", reason: "insufficient_scope", requiredScopes: ["mcp", "tickets:write"]))
                == "Bearer resource_metadata=\"\(Self.metadataURL)\", scope=\"mcp tickets:write\", error=\"insufficient_scope\", error_description=\"more\""
        )
        let open = Self.server(requiredScopes: [], scopes: [])
        #expect(open.challenge(for: AuthFailure(.missingToken, "x", reason: "missing")) == "Bearer resource_metadata=\"\(Self.metadataURL)\"")
        #expect(
            open.challenge(for: .invalidToken("bad", reason: "signature"))
                == "Bearer resource_metadata=\"\(Self.metadataURL)\", error=\"invalid_token\", error_description=\"bad\"")
    }

    @Test func scopesForATool() {
        #expect(Self.server(requiredScopes: ["mcp"]).scopes(forTool: ["tickets:write", "mcp"]) == ["mcp", "tickets:write"])
        #expect(Self.server(requiredScopes: []).scopes(forTool: ["a"]) == ["a"])
        #expect(Self.server(requiredScopes: ["mcp"]).scopes(forTool: []) == ["mcp"])
    }

    // MARK: metadata

    @Test func metadataURLInsertsTheWellKnownPath() {
        #expect(ResourceServer.metadataURL(for: "https://h/mcp") == "https://h/.well-known/oauth-protected-resource/mcp")
        #expect(ResourceServer.metadataURL(for: "https://h:8443/a/mcp") == "https://h:8443/.well-known/oauth-protected-resource/a/mcp")
        #expect(ResourceServer.metadataURL(for: "https://h") == "https://h/.well-known/oauth-protected-resource")
        #expect(Self.server().metadataURL == Self.metadataURL)
    }

    @Test func metadataDocument() throws {
        let metadata = Self.server(requiredScopes: ["mcp"], scopes: ["mcp", "tickets:write"]).metadata
        #expect(metadata["resource"] == .string(Self.resource))
        #expect(metadata["authorization_servers"] == [.string(Fixture.issuer)])
        #expect(metadata["scopes_supported"] == ["mcp", "tickets:write"])
        #expect(metadata["bearer_methods_supported"] == ["header"])
        let scopes = try #require(metadata["scopes_supported"]?.arrayValue)
        #expect(!scopes.contains("offline_access"))
        // The document round-trips through the JSON writer.
        #expect(try JSONParser.parse(metadata.jsonBytes) == metadata)
    }

    @Test func metadataOmitsEmptyScopes() {
        let metadata = Self.server(requiredScopes: [], scopes: []).metadata
        #expect(metadata["scopes_supported"] == nil)
        #expect(metadata["resource"] == .string(Self.resource))
        #expect(metadata["bearer_methods_supported"] == ["header"])
    }
}
