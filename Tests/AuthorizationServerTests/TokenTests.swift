import Foundation
import GatehouseJSON
import Logging
import OAuth
import OAuthTestSupport
import Testing

@testable import AuthorizationServer

/// This server's own metadata and key set on the fake issuer network, as
/// `/.well-known/oauth-authorization-server` and `/jwks.json` serve them.
func localIssuer(_ issuer: String, jwks: JSONValue) -> FakeAuthHTTP {
    let http = FakeAuthHTTP()
    http.serve(issuer + "/.well-known/oauth-authorization-server", json: AuthorizationServerMetadata(issuer: issuer, scopes: []).json)
    http.serve(issuer + "/jwks.json", json: jwks)
    return http
}

@Suite("Access tokens")
struct AccessTokenTests {
    let issuer = "http://127.0.0.1:8080"
    let audience = "http://127.0.0.1:8080/mcp"

    func verifier(_ ring: SigningKeyRing) -> JWTVerifier {
        JWTVerifier(
            settings: AuthSettings(enabled: true, issuers: [.init(issuer: issuer)], audiences: [audience]),
            http: localIssuer(issuer, jwks: ring.jwks), logger: Logger(label: "test"))
    }

    func claims(lifetime: Int64 = 300, audience: String? = nil) -> JSONObject {
        AccessTokenClaims(
            issuer: issuer, subject: "user-1", audience: audience ?? self.audience, clientID: "client-1",
            scopes: ["tickets:read", "tickets:write"], issuedAt: Int64(Date().timeIntervalSince1970), lifetime: lifetime,
            userClaims: ["email": "ada@example.com", "name": "Ada", "groups": ["support"], "sub": "ignored"]
        ).json
    }

    @Test func issuedTokensPassTheResourceServersVerifier() async throws {
        let ring = try await SigningKeyRing([.generate(now: 0)])
        let token = try ring.sign(claims())
        let caller = try await verifier(ring).verify(token)
        #expect(caller.subject == "user-1")
        #expect(caller.email == "ada@example.com" && caller.name == "Ada")
        #expect(caller.scopes == ["tickets:read", "tickets:write"])
        #expect(caller.claims["groups"] == ["support"])
        #expect(caller.claims["client_id"] == "client-1")
    }

    @Test func wrongAudienceOrExpiredTokensAreRefused() async throws {
        let ring = try await SigningKeyRing([.generate(now: 0)])
        await #expect(throws: AuthFailure.self) { try await verifier(ring).verify(try ring.sign(claims(audience: "https://other.example/mcp"))) }
        await #expect(throws: AuthFailure.self) { try await verifier(ring).verify(try ring.sign(claims(lifetime: -120))) }
    }

    @Test func aTokenFromAnotherKeyIsRefused() async throws {
        let ring = try await SigningKeyRing([.generate(now: 0)])
        let stranger = try await SigningKeyRing([.generate(now: 0)])
        await #expect(throws: AuthFailure.self) { try await verifier(ring).verify(try stranger.sign(claims())) }
    }

    @Test func rotationKeepsOldKeysUntilTheirTokensExpire() async throws {
        let first = SigningKeyRing.Material.generate(now: 1_000)
        var keys = SigningKeyRing.rotate([first], now: 1_500, rotateAfter: 86_400, tokenLifetime: 3_600)
        #expect(keys == [first], "young keys are kept as they are")
        keys = SigningKeyRing.rotate(keys, now: 100_000, rotateAfter: 86_400, tokenLifetime: 3_600)
        #expect(keys.count == 2 && keys[1] == first, "a new key signs; the old one still verifies")
        let oldToken = try await SigningKeyRing([first]).sign(claims())
        let ring = try await SigningKeyRing(keys)
        #expect(ring.signingKeyID == keys[0].kid)
        #expect(try await verifier(ring).verify(oldToken).subject == "user-1")
        keys = SigningKeyRing.rotate(keys, now: 100_000 + 3_600, rotateAfter: 86_400, tokenLifetime: 3_600)
        #expect(keys.count == 1 && keys[0] != first, "retired longer than a token lives: dropped")
    }

    @Test func anEmptyOrBrokenRingIsAnError() async {
        await #expect(throws: SigningKeyRing.Failure.self) { try await SigningKeyRing([]) }
        await #expect(throws: SigningKeyRing.Failure.self) {
            try await SigningKeyRing([.init(kid: "k", privateKeyPEM: "not a key", createdAt: 0)])
        }
    }
}

@Suite("Opaque tokens and scope mapping")
struct OpaqueTokenAndScopeTests {
    @Test func tokensAreRandomAndStoredHashed() {
        let a = OpaqueToken.generate()
        let b = OpaqueToken.generate()
        #expect(a != b && a.count == 43)
        #expect(OpaqueToken.hash(a).count == 64 && OpaqueToken.hash(a) == OpaqueToken.hash(a))
        #expect(OpaqueToken.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func claimsGrantScopes() {
        let mapping = ScopeMapping(
            baseScopes: ["tickets:read"],
            rules: [
                .init(claim: "groups", values: ["support"], scopes: ["tickets:write"]),
                .init(claim: "role", values: ["admin"], scopes: ["tickets:write", "tickets:admin"]),
            ])
        #expect(mapping.scopes(for: ["groups": ["sales"]]) == ["tickets:read"])
        #expect(mapping.scopes(for: ["groups": ["sales", "support"]]) == ["tickets:read", "tickets:write"])
        #expect(mapping.scopes(for: ["role": "admin"]) == ["tickets:read", "tickets:write", "tickets:admin"])
        #expect(mapping.grant(requested: ["tickets:write"], for: ["groups": ["sales"]]) == [])
        #expect(mapping.grant(requested: ["tickets:write", "other"], for: ["groups": ["support"]]) == ["tickets:write"])
        #expect(mapping.grant(requested: [], for: ["groups": ["support"]]) == ["tickets:read", "tickets:write"])
    }
}
