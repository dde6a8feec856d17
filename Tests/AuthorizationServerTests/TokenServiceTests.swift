import Foundation
import GatehouseJSON
import Logging
import OAuth
import OAuthTestSupport
import Synchronization
import Testing

@testable import AuthorizationServer

/// The token endpoint's refusals and successes, each its own test, on a
/// real SQLite store and checked by the resource server's own verifier.
@Suite("Token endpoint")
struct TokenServiceTests {
    static let issuer = "http://127.0.0.1:8080"
    static let resource = "http://127.0.0.1:8080/mcp"
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    let redirect = "http://127.0.0.1:33418/callback"

    final class Clock: Sendable {
        let value = Atomic<Int64>(Int64(Date().timeIntervalSince1970))
        func advance(_ seconds: Int64) { value.add(seconds, ordering: .relaxed) }
    }

    struct Harness {
        let store: SQLiteAuthStore
        let service: TokenService
        let clock: Clock
        let ring: SigningKeyRing
        let path: String
    }

    func withService(_ body: (Harness) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-token-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try await SQLiteAuthStore.open(path: path)
        try await store.migrate()
        let ring = try await SigningKeyRing([.generate(now: 0)])
        let clock = Clock()
        let service = TokenService(
            store: store, issuer: Self.issuer, resource: Self.resource, keys: { ring }, now: { clock.value.load(ordering: .relaxed) })
        try await store.saveClient(StoredClient(client: RegisteredClient(clientID: "public", origin: .dynamic, redirectURIs: [redirect])))
        try await store.saveClient(StoredClient(
            client: RegisteredClient(clientID: "confidential", origin: .static, redirectURIs: [redirect], tokenEndpointAuthMethod: "client_secret_basic"),
            secretHash: OpaqueToken.hash("s3cret")))
        try await body(Harness(store: store, service: service, clock: clock, ring: ring, path: path))
        try await store.close()
    }

    /// A code as `/authorize` would leave it, for `client`.
    func issueCode(
        _ harness: Harness, client: String = "public", lifetime: Int64 = 60, claimsJSON: String = #"{"email":"ada@example.com"}"#
    ) async throws -> String {
        let code = OpaqueToken.generate()
        try await harness.store.saveCode(AuthorizationCodeRecord(
            hash: OpaqueToken.hash(code), clientID: client, redirectURI: redirect, codeChallenge: PKCE.challenge(for: verifier),
            resource: Self.resource, scopes: ["tickets:read"], subject: "ada", claimsJSON: claimsJSON,
            expiresAt: harness.clock.value.load(ordering: .relaxed) + lifetime))
        return code
    }

    func exchangeForm(_ code: String, verifier: String? = nil, redirect: String? = nil, resource: String? = nil) -> [String: String] {
        var form = ["grant_type": "authorization_code", "code": code, "client_id": "public",
                    "code_verifier": verifier ?? self.verifier, "redirect_uri": redirect ?? self.redirect]
        if let resource { form["resource"] = resource }
        return form
    }

    func expectRefusal(_ code: String, _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("expected \(code)")
        } catch let error as OAuthError {
            #expect(error.code == code, "\(error.description)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    func resourceVerifier(_ ring: SigningKeyRing) -> JWTVerifier {
        JWTVerifier(
            settings: AuthSettings(enabled: true, issuers: [.init(issuer: Self.issuer)], audiences: [Self.resource]),
            http: localIssuer(Self.issuer, jwks: ring.jwks), logger: Logger(label: "test"))
    }

    @Test func aClientKnownByItsMetadataDocumentExchangesItsCode() async throws {
        try await withService { harness in
            let url = "https://app.example.test/oauth/client.json"
            let document = #"{"client_id":"\#(url)","client_name":"App","redirect_uris":["\#(redirect)"]}"#
            let resolver = ClientResolver(
                store: harness.store, fetcher: DocumentServer([url: (200, Array(document.utf8), nil)]),
                hosts: FixedHosts(table: ["app.example.test": ["203.0.113.9"]]), policy: RedirectURIPolicy())
            let service = TokenService(
                store: harness.store, issuer: Self.issuer, resource: Self.resource, keys: { harness.ring }, documents: resolver)
            let code = OpaqueToken.generate()
            try await harness.store.saveCode(AuthorizationCodeRecord(
                hash: OpaqueToken.hash(code), clientID: url, redirectURI: redirect, codeChallenge: PKCE.challenge(for: verifier),
                resource: Self.resource, scopes: ["tickets:read"], subject: "ada", claimsJSON: "{}", expiresAt: Int64(Date().timeIntervalSince1970) + 60))
            var form = exchangeForm(code)
            form["client_id"] = url
            let tokens = try await service.handle(form: form, credentials: nil)
            #expect(tokens["access_token"]?.stringValue != nil)
            // It is public: a secret is not how it proves itself.
            await expectRefusal("invalid_client") {
                _ = try await service.handle(form: form, credentials: .init(clientID: url, secret: "guess"))
            }
            // Without a resolver such clients are turned away, not looked up in the store.
            await expectRefusal("invalid_client") { _ = try await harness.service.handle(form: form, credentials: nil) }
        }
    }

    @Test func aCodeBecomesTokensTheResourceServerAccepts() async throws {
        try await withService { harness in
            let code = try await issueCode(harness)
            let response = try await harness.service.handle(form: exchangeForm(code, resource: Self.resource), credentials: nil)
            #expect(response["token_type"] == "Bearer" && response["expires_in"] == 900 && response["scope"] == "tickets:read")
            let access = try #require(response["access_token"]?.stringValue)
            let caller = try await resourceVerifier(harness.ring).verify(access)
            #expect(caller.subject == "ada" && caller.email == "ada@example.com" && caller.scopes == ["tickets:read"])
            #expect(response["refresh_token"]?.stringValue?.count == 43)
        }
    }

    @Test func wrongPKCEVerifier() async throws {
        try await withService { harness in
            let code = try await issueCode(harness)
            await expectRefusal("invalid_grant") {
                _ = try await harness.service.handle(form: exchangeForm(code, verifier: String(repeating: "x", count: 43)), credentials: nil)
            }
        }
    }

    @Test func missingPKCEVerifier() async throws {
        try await withService { harness in
            var form = exchangeForm(try await issueCode(harness))
            form["code_verifier"] = nil
            await expectRefusal("invalid_request") { _ = try await harness.service.handle(form: form, credentials: nil) }
        }
    }

    @Test func reusedCodeRevokesWhatItIssued() async throws {
        try await withService { harness in
            let code = try await issueCode(harness)
            let first = try await harness.service.handle(form: exchangeForm(code), credentials: nil)
            await expectRefusal("invalid_grant") { _ = try await harness.service.handle(form: exchangeForm(code), credentials: nil) }
            // The refresh token from the first exchange is dead too.
            let refresh = try #require(first["refresh_token"]?.stringValue)
            await expectRefusal("invalid_grant") {
                _ = try await harness.service.handle(
                    form: ["grant_type": "refresh_token", "refresh_token": refresh, "client_id": "public"], credentials: nil)
            }
        }
    }

    @Test func mismatchedRedirectURI() async throws {
        try await withService { harness in
            let code = try await issueCode(harness)
            await expectRefusal("invalid_grant") {
                _ = try await harness.service.handle(form: exchangeForm(code, redirect: "http://127.0.0.1:1/other"), credentials: nil)
            }
        }
    }

    @Test func resourceOfAnotherServer() async throws {
        try await withService { harness in
            let code = try await issueCode(harness)
            await expectRefusal("invalid_target") {
                _ = try await harness.service.handle(form: exchangeForm(code, resource: "https://other.example/mcp"), credentials: nil)
            }
        }
    }

    @Test func expiredCode() async throws {
        try await withService { harness in
            let code = try await issueCode(harness, lifetime: 60)
            harness.clock.advance(61)
            await expectRefusal("invalid_grant") { _ = try await harness.service.handle(form: exchangeForm(code), credentials: nil) }
        }
    }

    @Test func aCodeOfAnotherClient() async throws {
        try await withService { harness in
            let code = try await issueCode(harness, client: "confidential")
            await expectRefusal("invalid_grant") { _ = try await harness.service.handle(form: exchangeForm(code), credentials: nil) }
        }
    }

    @Test func unknownClientIsInvalidClient() async throws {
        try await withService { harness in
            var form = exchangeForm(try await issueCode(harness))
            form["client_id"] = "forgotten"
            await expectRefusal("invalid_client") { _ = try await harness.service.handle(form: form, credentials: nil) }
        }
    }

    @Test func confidentialClientsMustAuthenticate() async throws {
        try await withService { harness in
            let code = try await issueCode(harness, client: "confidential")
            var form = exchangeForm(code)
            form["client_id"] = nil
            await expectRefusal("invalid_client") {
                _ = try await harness.service.handle(form: form, credentials: .init(clientID: "confidential", secret: "wrong"))
            }
            let response = try await harness.service.handle(form: form, credentials: .init(clientID: "confidential", secret: "s3cret"))
            #expect(response["access_token"] != nil)
        }
    }

    @Test func refreshRotatesAndReuseRevokesTheFamily() async throws {
        try await withService { harness in
            let first = try await harness.service.handle(form: exchangeForm(try await issueCode(harness)), credentials: nil)
            let r1 = try #require(first["refresh_token"]?.stringValue)
            let refreshForm = { (token: String) in ["grant_type": "refresh_token", "refresh_token": token, "client_id": "public"] }
            let second = try await harness.service.handle(form: refreshForm(r1), credentials: nil)
            let r2 = try #require(second["refresh_token"]?.stringValue)
            #expect(r2 != r1)
            #expect(try await resourceVerifier(harness.ring).verify(try #require(second["access_token"]?.stringValue)).subject == "ada")
            await expectRefusal("invalid_grant") { _ = try await harness.service.handle(form: refreshForm(r1), credentials: nil) }
            await expectRefusal("invalid_grant") { _ = try await harness.service.handle(form: refreshForm(r2), credentials: nil) }
        }
    }

    @Test func unsupportedGrantType() async throws {
        try await withService { harness in
            await expectRefusal("unsupported_grant_type") {
                _ = try await harness.service.handle(form: ["grant_type": "password", "client_id": "public"], credentials: nil)
            }
        }
    }

    // MARK: Which user claims access tokens carry

    /// What a grant keeps for a user in 400 groups, `support` among them.
    static let manyGroups: String = {
        var groups: [JSONValue] = (0..<400).map { .string("cn=team-\($0),ou=groups,dc=example") }
        groups.insert("support", at: 200)
        let kept: JSONObject = [
            "email": "ada@example.com", "email_verified": true, "name": "Ada", "given_name": "Ada", "department": "R&D",
            "groups": .array(groups),
        ]
        return JSONValue.object(kept).jsonString
    }()

    func service(_ harness: Harness, mapping: ScopeMapping) -> TokenService {
        TokenService(
            store: harness.store, issuer: Self.issuer, resource: Self.resource, scopeMapping: mapping, keys: { harness.ring },
            now: { harness.clock.value.load(ordering: .relaxed) })
    }

    static let mapping = ScopeMapping(baseScopes: ["mcp"], rules: [.init(claim: "groups", values: ["support", "ops"], scopes: ["tickets:write"])])

    @Test func accessTokensCarryOnlyTheClaimsInUse() async throws {
        try await withService { harness in
            let service = service(harness, mapping: Self.mapping)
            let code = try await issueCode(harness, claimsJSON: Self.manyGroups)
            let response = try await service.handle(form: exchangeForm(code), credentials: nil, placeholderClaims: ["department"])
            let access = try #require(response["access_token"]?.stringValue)
            #expect(access.utf8.count < 2_048, "\(access.utf8.count) bytes")
            let caller = try await resourceVerifier(harness.ring).verify(access)
            #expect(caller.email == "ada@example.com" && caller.name == "Ada")
            #expect(caller.claims["email_verified"] == true)
            #expect(caller.claims["department"] == "R&D", "read by a {{ user.claims.department }} placeholder")
            #expect(caller.claims["groups"] == ["support"], "only the groups the scope mapping names")
            #expect(caller.claims["given_name"] == nil, "no placeholder reads it")
        }
    }

    @Test func aRefreshCarriesTheClaimsTheConnectorFilesUseNow() async throws {
        try await withService { harness in
            let service = service(harness, mapping: Self.mapping)
            let code = try await issueCode(harness, claimsJSON: Self.manyGroups)
            let first = try await service.handle(form: exchangeForm(code), credentials: nil)
            let before = try await resourceVerifier(harness.ring).verify(try #require(first["access_token"]?.stringValue))
            #expect(before.claims["department"] == nil)
            // A reload adds a tool with {{ user.claims.department }}.
            let refresh = ["grant_type": "refresh_token", "refresh_token": try #require(first["refresh_token"]?.stringValue), "client_id": "public"]
            let second = try await service.handle(form: refresh, credentials: nil, placeholderClaims: ["department"])
            let after = try await resourceVerifier(harness.ring).verify(try #require(second["access_token"]?.stringValue))
            #expect(after.claims["department"] == "R&D")
        }
    }

    @Test func anAccessTokenTheMCPEndpointWouldRefuseIsNotIssued() async throws {
        try await withService { harness in
            let code = try await issueCode(harness, claimsJSON: Self.manyGroups)
            do {
                _ = try await harness.service.handle(form: exchangeForm(code), credentials: nil, placeholderClaims: ["groups"])
                Issue.record("a token over 16 KiB was issued")
            } catch let error as OAuthError {
                #expect(error.code == "server_error")
                #expect(error.description.contains("user.claims.groups") && error.description.contains("16 KiB"))
            }
        }
    }
}

@Suite("User claims")
struct UserClaimSelectionTests {
    @Test func aGrantKeepsTheUsersClaimsButNotTheIDTokensOwn() {
        let kept = UserClaimSelection.keptAtSignIn(from: [
            "iss": "https://idp.example", "aud": "gatehouse", "sub": "ada", "nonce": "n", "at_hash": "h", "auth_time": 1, "exp": 2,
            "email": "ada@example.com", "department": "R&D", "groups": ["a", "b"],
        ])
        #expect(Set(kept.keys) == ["email", "email_verified", "department", "groups"])
    }

    @Test func emailVerifiedIsTrueOnlyWhenTheProviderSaysSo() {
        let cases: [(JSONValue?, Bool)] = [(true, true), ("true", true), (false, false), ("false", false), (nil, false), (1, false)]
        for (flag, expected) in cases {
            var idToken: JSONObject = ["email": "ada@example.com"]
            if let flag { idToken["email_verified"] = flag }
            #expect(UserClaimSelection.keptAtSignIn(from: idToken)["email_verified"] == .bool(expected), "\(String(describing: flag))")
        }
        #expect(UserClaimSelection.keptAtSignIn(from: ["email_verified": true])["email_verified"] == nil, "nothing to qualify")
    }

    @Test func aClaimBothMappedAndReadByAPlaceholderIsCopiedWhole() {
        let selection = UserClaimSelection(scopeMapping: TokenServiceTests.mapping, placeholderClaims: ["groups"])
        #expect(selection.select(from: ["groups": ["support", "other"]])["groups"] == ["support", "other"])
        let mappedOnly = UserClaimSelection(scopeMapping: TokenServiceTests.mapping)
        #expect(mappedOnly.select(from: ["groups": ["other"]])["groups"] == nil)
        #expect(mappedOnly.select(from: ["groups": "ops"])["groups"] == "ops")
    }
}
