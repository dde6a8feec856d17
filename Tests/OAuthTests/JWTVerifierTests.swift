import ConnectorModel
import Foundation
import GatehouseJSON
import JWTKit
import Testing

import OAuthTestSupport

@testable import OAuth

@Suite("JWT verifier")
struct JWTVerifierTests {
    // MARK: Accepted tokens

    @Test func validES256TokenGivesTheCaller() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let token = try makeJWT(
            Fixture.claims(sub: "alice-123", extra: [
                "email": "alice@example.test", "name": "Alice Example", "scope": "tickets:read tickets:write", "tenant": "acme",
            ]), key: key)
        let caller = try await Fixture.verifier(http: http).verify(token)
        #expect(caller.subject == "alice-123")
        #expect(caller.email == "alice@example.test")
        #expect(caller.name == "Alice Example")
        #expect(caller.scopes == ["tickets:read", "tickets:write"])
        #expect(caller.claims["tenant"] == "acme")
        #expect(caller.claims["iss"] == .string(Fixture.issuer))
        #expect(caller.claims["aud"] == .string(Fixture.audience))
        #expect(http.gets == [Fixture.rfc8414URL, Fixture.jwksURL])
    }

    @Test func scopesFromAnScpArray() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let token = try makeJWT(
            Fixture.claims(extra: ["scp": ["tickets:read", "admin"], "preferred_username": "bob"]), key: key)
        let caller = try await Fixture.verifier(http: http).verify(token)
        #expect(caller.scopes == ["tickets:read", "admin"])
        #expect(caller.name == "bob")
        #expect(caller.email == nil)
    }

    @Test func validRS256Token() async throws {
        let key = try await SigningKey.rs256(kid: "rsa-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let token = try makeJWT(Fixture.claims(sub: "carol", extra: ["scope": "mcp"]), key: key)
        let caller = try await Fixture.verifier(http: http).verify(token)
        #expect(caller.subject == "carol")
        #expect(caller.scopes == ["mcp"])
    }

    @Test func keysAreFetchedOnceForManyTokens() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let verifier = Fixture.verifier(http: http)
        for index in 0..<5 {
            _ = try await verifier.verify(try makeJWT(Fixture.claims(sub: "user-\(index)"), key: key))
        }
        #expect(http.getCount(Fixture.jwksURL) == 1)
        #expect(http.getCount(Fixture.rfc8414URL) == 1)
    }

    // MARK: Time

    @Test func expiredBeyondSkewIsRefused() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let token = try makeJWT(Fixture.claims(exp: Fixture.nowSeconds - 61), key: key)
        let refused = try #require(await refusal(Fixture.verifier(http: http), token))
        #expect(refused.kind == .invalidToken)
        #expect(refused.reason == "expired")
        #expect(refused.httpStatus == 401)
    }

    @Test func expiredWithinSkewIsAccepted() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let token = try makeJWT(Fixture.claims(exp: Fixture.nowSeconds - 59), key: key)
        let caller = try await Fixture.verifier(http: http).verify(token)
        #expect(caller.subject == "user-1")
    }

    @Test func notBeforeInTheFutureIsRefused() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let token = try makeJWT(Fixture.claims(extra: ["nbf": .double(Fixture.nowSeconds + 120)]), key: key)
        let refused = try #require(await refusal(Fixture.verifier(http: http), token))
        #expect(refused.kind == .invalidToken)
        #expect(refused.reason == "not_yet_valid")
        #expect(refused.httpStatus == 401)
    }

    @Test func notBeforeWithinSkewIsAccepted() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let token = try makeJWT(Fixture.claims(extra: ["nbf": .double(Fixture.nowSeconds + 30)]), key: key)
        #expect(try await Fixture.verifier(http: http).verify(token).subject == "user-1")
    }

    @Test func missingExpiryIsRefused() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let token = try makeJWT(Fixture.claims(exp: nil), key: key)
        let refused = try #require(await refusal(Fixture.verifier(http: http), token))
        #expect(refused.kind == .invalidToken)
        #expect(refused.reason == "malformed")
    }

    // MARK: Issuer and audience

    @Test func untrustedIssuerIsRefusedWithoutFetching() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let token = try makeJWT(Fixture.claims(iss: "https://evil.example.test"), key: key)
        let refused = try #require(await refusal(Fixture.verifier(http: http), token))
        #expect(refused.kind == .invalidToken)
        #expect(refused.reason == "issuer")
        #expect(http.requestCount == 0)
    }

    @Test func wrongAudienceStringIsRefused() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let token = try makeJWT(Fixture.claims(aud: "https://other.example.test/mcp"), key: key)
        let refused = try #require(await refusal(Fixture.verifier(http: http), token))
        #expect(refused.kind == .invalidToken)
        #expect(refused.reason == "audience")
    }

    @Test func audienceArrayWithoutOursIsRefused() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let token = try makeJWT(Fixture.claims(aud: ["https://a.example.test", "https://b.example.test"]), key: key)
        let refused = try #require(await refusal(Fixture.verifier(http: http), token))
        #expect(refused.reason == "audience")
    }

    @Test func missingAudienceIsRefused() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        var claims = Fixture.claims()
        claims.removeValue(forKey: "aud")
        let token = try makeJWT(claims, key: key)
        let refused = try #require(await refusal(Fixture.verifier(http: http), token))
        #expect(refused.reason == "audience")
    }

    @Test func audienceArrayWithOursIsAccepted() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let token = try makeJWT(Fixture.claims(aud: ["https://a.example.test", .string(Fixture.audience)]), key: key)
        #expect(try await Fixture.verifier(http: http).verify(token).subject == "user-1")
    }

    // MARK: Signatures and algorithms

    @Test func payloadTamperedAfterSigningIsRefused() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let token = try makeJWT(Fixture.claims(extra: ["scope": "tickets:read"]), key: key)
        let parts = token.split(separator: ".").map(String.init)
        let forged = base64URL(JSONValue.object(Fixture.claims(extra: ["scope": "tickets:read admin"])).jsonBytes)
        let tampered = [parts[0], forged, parts[2]].joined(separator: ".")
        let refused = try #require(await refusal(Fixture.verifier(http: http), tampered))
        #expect(refused.kind == .invalidToken)
        #expect(refused.reason == "signature")
    }

    @Test func anotherKeyWithTheSameKidIsRefused() async throws {
        let published = try await SigningKey.es256(kid: "ec-1")
        let attacker = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()
        Fixture.publish([published], on: http)
        let token = try makeJWT(Fixture.claims(), key: attacker)
        let refused = try #require(await refusal(Fixture.verifier(http: http), token))
        #expect(refused.kind == .invalidToken)
        #expect(refused.reason == "signature")
    }

    @Test func algNoneIsRefusedBeforeAnyKeyIsFetched() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let token = try makeJWT(header: ["alg": "none", "typ": "JWT"], claims: Fixture.claims(), signer: nil)
        #expect(token.hasSuffix("."))
        let refused = try #require(await refusal(Fixture.verifier(http: http), token))
        #expect(refused.kind == .invalidToken)
        #expect(refused.reason == "algorithm")
        #expect(http.requestCount == 0)
    }

    @Test func hs256SignedWithThePublicKeyIsRefused() async throws {
        let key = try await SigningKey.rs256(kid: "rsa-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let pem = try SigningKey.rsaPublicKeyPEM
        #expect(pem.hasPrefix("-----BEGIN PUBLIC KEY-----"))
        let forger = try await hs256Signer(secret: pem)
        let token = try makeJWT(
            header: ["alg": "HS256", "typ": "JWT", "kid": "rsa-1"], claims: Fixture.claims(extra: ["scope": "admin"]),
            signer: forger)
        let refused = try #require(await refusal(Fixture.verifier(http: http), token))
        #expect(refused.kind == .invalidToken)
        #expect(refused.reason == "algorithm")
        #expect(http.requestCount == 0)
    }

    @Test func missingAlgIsRefused() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let token = try makeJWT(header: ["kid": "ec-1"], claims: Fixture.claims(), signer: key.signer)
        let refused = try #require(await refusal(Fixture.verifier(http: http), token))
        #expect(refused.reason == "algorithm")
    }

    // MARK: Key ids, refresh and rotation

    @Test func unknownKidRefreshesOnceThenIsRateLimited() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let stranger = try await SigningKey.es256(kid: "ec-unknown")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let verifier = Fixture.verifier(Fixture.settings(refreshInterval: .milliseconds(500)), http: http)
        _ = try await verifier.verify(try makeJWT(Fixture.claims(), key: key))
        #expect(http.getCount(Fixture.jwksURL) == 1)

        try await Task.sleep(for: .milliseconds(700))
        let first = try #require(await refusal(verifier, try! makeJWT(Fixture.claims(), key: stranger)))
        #expect(first.kind == .invalidToken)
        #expect(first.reason == "unknown_kid")
        #expect(http.getCount(Fixture.jwksURL) == 2, "one refresh for the unknown kid")

        let other = try await SigningKey.es256(kid: "ec-unknown-2")
        let second = try #require(await refusal(verifier, try! makeJWT(Fixture.claims(), key: other)))
        #expect(second.reason == "unknown_kid")
        #expect(http.getCount(Fixture.jwksURL) == 2, "no refresh within the refresh interval")
        // Metadata is discovered once; refreshes go straight to the key set.
        #expect(http.getCount(Fixture.rfc8414URL) == 1)
    }

    @Test func unknownKidOnTheFirstTokenLoadsTheKeysOnce() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let stranger = try await SigningKey.es256(kid: "ec-unknown")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let verifier = Fixture.verifier(http: http)
        for _ in 0..<3 {
            let refused = try #require(await refusal(verifier, try! makeJWT(Fixture.claims(), key: stranger)))
            #expect(refused.reason == "unknown_kid")
        }
        #expect(http.getCount(Fixture.jwksURL) == 1)
    }

    @Test func rotatedKeyIsAcceptedAfterARefresh() async throws {
        let old = try await SigningKey.es256(kid: "2026-01")
        let new = try await SigningKey.rs256(kid: "2026-02")
        let http = FakeAuthHTTP()
        Fixture.publish([old], on: http)
        let verifier = Fixture.verifier(Fixture.settings(refreshInterval: .milliseconds(500)), http: http)
        _ = try await verifier.verify(try makeJWT(Fixture.claims(), key: old))

        // The issuer rotates: the new key appears in its key set.
        Fixture.publishKeys([old, new], on: http)
        try await Task.sleep(for: .milliseconds(700))
        let caller = try await verifier.verify(try makeJWT(Fixture.claims(sub: "after-rotation"), key: new))
        #expect(caller.subject == "after-rotation")
        #expect(http.getCount(Fixture.jwksURL) == 2)
        // The old key still works, without another fetch.
        _ = try await verifier.verify(try makeJWT(Fixture.claims(), key: old))
        #expect(http.getCount(Fixture.jwksURL) == 2)
    }

    @Test func noKidWithTwoKeysIsRefused() async throws {
        let first = try await SigningKey.es256(kid: "ec-1")
        let second = try await SigningKey.es256(kid: "ec-2")
        let http = FakeAuthHTTP()
        Fixture.publish([first, second], on: http)
        let token = try makeJWT(Fixture.claims(), key: first, kid: .some(nil))
        let refused = try #require(await refusal(Fixture.verifier(http: http), token))
        #expect(refused.kind == .invalidToken)
        #expect(refused.reason == "unknown_kid")
    }

    @Test func noKidWithOneKeyIsAccepted() async throws {
        let key = try await SigningKey.es256(kid: "only")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let token = try makeJWT(Fixture.claims(sub: "kidless"), key: key, kid: .some(nil))
        let outcome = await refusal(Fixture.verifier(http: http), token)
        // Regression (fixed), this used to fail: IssuerKeys.refresh adds every JWK with `isDefault: false`, so the
        // collection has no default key and JWTKit cannot pick the single key
        // for a token without `kid` (JWTError.noKeyProvided → "signature").
        #expect(outcome == nil, "refused with \(outcome?.reason ?? "-")")
    }

    @Test func noKidWithASingleKidlessKeyIsAccepted() async throws {
        let key = try await SigningKey.es256(kid: "unused")
        guard case .object(var jwk) = key.jwk else { Issue.record("JWK"); return }
        jwk.removeValue(forKey: "kid")
        let http = FakeAuthHTTP()
        http.serve(Fixture.rfc8414URL, json: ["issuer": .string(Fixture.issuer), "jwks_uri": .string(Fixture.jwksURL)])
        http.serve(Fixture.jwksURL, json: ["keys": [.object(jwk)]])
        let token = try makeJWT(Fixture.claims(sub: "kidless"), key: key, kid: .some(nil))
        let outcome = await refusal(Fixture.verifier(http: http), token)
        // Regression (fixed), this used to fail: `kid` is optional in a JWK (RFC 7517 §4.5), but
        // JWTKeyCollection.add(jwk:) throws "Missing KID", so IssuerKeys.refresh
        // skips the issuer's only key and reports "no usable signing key".
        #expect(outcome == nil, "refused with \(outcome?.reason ?? "-")")
    }

    @Test func failedKeyLoadsAreRateLimitedToo() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()  // The issuer publishes nothing (down or misconfigured).
        let verifier = Fixture.verifier(http: http)
        for index in 0..<5 {
            let refused = await refusal(verifier, try makeJWT(Fixture.claims(sub: "forged-\(index)"), key: key))
            #expect(refused?.reason == "jwks_unavailable")
        }
        // Regression (fixed), this used to fail: IssuerKeys.collection(for:) only rate-limits when keys were
        // loaded before (`keys != nil`), so while the issuer is unreachable
        // every request carrying a trusted `iss` (an unverified claim anyone
        // can write) makes three metadata requests to it.
        #expect(http.gets.count <= 3, "\(http.gets.count) requests for 5 tokens within the refresh interval")
    }

    @Test func encryptionKeysInTheSetAreIgnored() async throws {
        let signing = try await SigningKey.es256(kid: "sig")
        let encryption = try await SigningKey.es256(kid: "enc")
        guard case .object(var encJWK) = encryption.jwk else { Issue.record("JWK"); return }
        encJWK["use"] = "enc"
        let http = FakeAuthHTTP()
        http.serve(Fixture.rfc8414URL, json: ["issuer": .string(Fixture.issuer), "jwks_uri": .string(Fixture.jwksURL)])
        http.serve(Fixture.jwksURL, json: ["keys": [signing.jwk, .object(encJWK)]])
        let verifier = Fixture.verifier(http: http)
        #expect(try await verifier.verify(try makeJWT(Fixture.claims(), key: signing)).subject == "user-1")
        let refused = try #require(await refusal(verifier, try! makeJWT(Fixture.claims(), key: encryption)))
        #expect(refused.reason == "unknown_kid")
    }

    // MARK: Malformed tokens

    @Test func twoSegmentsAreMalformed() async throws {
        let http = FakeAuthHTTP()
        let refused = try #require(await refusal(Fixture.verifier(http: http), "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0"))
        #expect(refused.kind == .invalidToken)
        #expect(refused.reason == "malformed")
        #expect(refused.httpStatus == 401)
        #expect(http.requestCount == 0)
    }

    @Test func garbageBase64IsMalformed() async throws {
        let http = FakeAuthHTTP()
        let refused = try #require(await refusal(Fixture.verifier(http: http), "!!!.@@@.###"))
        #expect(refused.kind == .invalidToken)
        #expect(refused.reason == "malformed")
    }

    @Test func nonJSONHeaderIsMalformed() async throws {
        let http = FakeAuthHTTP()
        let token = base64URL(Array("not json".utf8)) + "." + base64URL(JSONValue.object(Fixture.claims()).jsonBytes) + ".c2ln"
        let refused = try #require(await refusal(Fixture.verifier(http: http), token))
        #expect(refused.kind == .invalidToken)
        #expect(refused.reason == "malformed")
        #expect(http.requestCount == 0)
    }

    @Test func headerThatIsNotAnObjectIsMalformed() async throws {
        let token = base64URL(Array("[1,2]".utf8)) + "." + base64URL(JSONValue.object(Fixture.claims()).jsonBytes) + ".c2ln"
        let refused = try #require(await refusal(Fixture.verifier(http: FakeAuthHTTP()), token))
        #expect(refused.reason == "malformed")
    }

    @Test func opaqueTokenWithoutIntrospectionIsMalformed() async throws {
        let http = FakeAuthHTTP()
        let refused = try #require(await refusal(Fixture.verifier(http: http), "opaque-token"))
        #expect(refused.kind == .invalidToken)
        #expect(refused.reason == "malformed")
        #expect(http.requestCount == 0)
    }
}

@Suite("Claim checks")
struct ClaimChecksTests {
    @Test func expiryBoundaryIsInclusiveOfTheSkew() throws {
        let checks = ClaimChecks(settings: Fixture.settings(), now: Fixture.now)
        #expect(throws: Never.self) { try checks.identity(from: Fixture.claims(exp: Fixture.nowSeconds - 60)) }
        #expect(throws: AuthFailure.invalidToken("the token has expired", reason: "expired")) {
            try checks.identity(from: Fixture.claims(exp: Fixture.nowSeconds - 60.5))
        }
    }

    @Test func scopeStringAndScpAreMerged() throws {
        let checks = ClaimChecks(settings: Fixture.settings(), now: Fixture.now)
        let caller = try checks.identity(from: Fixture.claims(extra: ["scope": "a  b", "scp": "c"]))
        #expect(caller.scopes == ["a", "b", "c"])
    }

    @Test func expiryNotRequiredForIntrospection() throws {
        let checks = ClaimChecks(settings: Fixture.settings(), now: Fixture.now)
        #expect(try checks.identity(from: Fixture.claims(exp: nil), requireExpiry: false).subject == "user-1")
    }
}
