import Caller
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

    // MARK: Critical header extensions (RFC 7515 §4.1.11)

    @Test func critNamingAnUnknownExtensionIsRefused() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let token = try makeJWT(
            header: ["alg": "ES256", "kid": "ec-1", "crit": ["urn:example:must-check"], "urn:example:must-check": true],
            claims: Fixture.claims(), signer: key.signer)
        let refused = try #require(await refusal(Fixture.verifier(http: http), token))
        #expect(refused.kind == .invalidToken)
        #expect(refused.reason == "crit")
        #expect(refused.description == "the access token names critical header extensions this server does not support")
        #expect(http.requestCount == 0, "refused before any key is fetched")
    }

    @Test func unencodedPayloadExtensionIsRefused() async throws {
        // RFC 7797: `b64: false` changes what the signature covers.
        let key = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let token = try makeJWT(
            header: ["alg": "ES256", "kid": "ec-1", "b64": false, "crit": ["b64"]], claims: Fixture.claims(), signer: key.signer)
        #expect(await refusal(Fixture.verifier(http: http), token)?.reason == "crit")
    }

    @Test(arguments: [
        JSONValue.array([]), "urn:example:ext", ["alg"], ["kid", "urn:example:ext"], [.int(1)], ["x", "x"], [""], .null,
        ["crit"],
    ])
    func malformedCritIsRefused(crit: JSONValue) async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let token = try makeJWT(header: ["alg": "ES256", "kid": "ec-1", "crit": crit], claims: Fixture.claims(), signer: key.signer)
        let refused = try #require(await refusal(Fixture.verifier(http: http), token))
        #expect(refused.reason == "crit")
        #expect(refused.description == "the access token's crit header is malformed")
    }

    @Test func critInAnIDTokenIsRefusedAsAnIDToken() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let token = try makeJWT(
            header: ["alg": "ES256", "kid": "ec-1", "crit": ["urn:example:ext"], "urn:example:ext": 1], claims: Fixture.claims(),
            signer: key.signer)
        let refused = try #require(await refusal(Fixture.verifier(http: http, kind: .idToken), token))
        #expect(refused.description == "the ID token names critical header extensions this server does not support")
    }

    // MARK: Size and naming

    /// Claims with `count` group names of about 30 characters each.
    static func claims(groups count: Int) -> JSONObject {
        Fixture.claims(extra: ["groups": .array((0..<count).map { .string("team-\($0)-with-a-rather-long-name") })])
    }

    @Test func idTokensMayCarryHundredsOfGroups() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let token = try makeJWT(Self.claims(groups: 1_200), key: key)
        let payload = token.split(separator: ".")[1].utf8.count
        #expect(payload > 32 * 1024 && payload < 64 * 1024, "\(payload) bytes")
        let caller = try await Fixture.verifier(http: http, kind: .idToken).verify(token)
        #expect(caller.claims["groups"]?.arrayValue?.count == 1_200)
    }

    @Test func sectionsBeyondTheLimitAreRefusedNamingTheToken() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let large = try makeJWT(Self.claims(groups: 600), key: key)
        let access = try #require(await refusal(Fixture.verifier(http: http), large))
        #expect(access.reason == "malformed")
        #expect(access.description == "the access token is too large (at most 16 KiB per section)")
        let huge = try makeJWT(Self.claims(groups: 2_500), key: key)
        let id = try #require(await refusal(Fixture.verifier(http: http, kind: .idToken), huge))
        #expect(id.description == "the ID token is too large (at most 64 KiB per section)")
        #expect(http.requestCount == 0)
    }

    @Test func everyRefusalOfAnIDTokenSaysIDToken() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let stranger = try await SigningKey.es256(kid: "ec-unknown")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        let verifier = Fixture.verifier(http: http, kind: .idToken)
        let tokens = [
            "not-a-jwt", "!!!.@@@.###",
            try makeJWT(header: ["alg": "none"], claims: Fixture.claims(), signer: nil),
            try makeJWT(Fixture.claims(iss: "https://elsewhere.example.test"), key: key),
            try makeJWT(Fixture.claims(exp: Fixture.nowSeconds - 600), key: key),
            try makeJWT(Fixture.claims(exp: nil), key: key),
            try makeJWT(Fixture.claims(aud: "someone-else"), key: key),
            try makeJWT(Fixture.claims(extra: ["nbf": .double(Fixture.nowSeconds + 600)]), key: key),
            try makeJWT(Fixture.claims(), key: stranger),
            try makeJWT(Fixture.claims(), key: stranger, kid: "ec-1"),
        ]
        for token in tokens {
            let refused = try #require(await refusal(verifier, token))
            #expect(refused.description.hasPrefix("the ID token"), "\(refused.description)")
        }
        let keyless = Fixture.verifier(http: FakeAuthHTTP(), kind: .idToken)
        let unavailable = try #require(await refusal(keyless, try makeJWT(Fixture.claims(), key: key)))
        #expect(unavailable.description == "the ID token cannot be checked: the issuer's signing keys are unavailable")
    }

    // MARK: Concurrent key fetches

    @Test func tokensArrivingDuringTheFirstKeyFetchWaitForIt() async throws {
        let key = try await SigningKey.es256(kid: "ec-1")
        let http = FakeAuthHTTP()
        Fixture.publish([key], on: http)
        http.delayAnswers(by: .milliseconds(200))
        let verifier = Fixture.verifier(http: http)
        let tokens = try (0..<20).map { try makeJWT(Fixture.claims(sub: "user-\($0)"), key: key) }
        let refusals = await withTaskGroup(of: AuthFailure?.self) { group in
            for token in tokens { group.addTask { await refusal(verifier, token) } }
            return await group.reduce(into: [AuthFailure?]()) { $0.append($1) }
        }
        #expect(refusals.compactMap { $0?.reason } == [], "every caller is let in once the keys are loaded")
        #expect(http.getCount(Fixture.jwksURL) == 1)
        #expect(http.getCount(Fixture.rfc8414URL) == 1)
    }

    @Test func withoutAThrottleANewKeyIsFetchedAtOnceAndBurstsShareOneFetch() async throws {
        let old = try await SigningKey.es256(kid: "2026-01")
        let new = try await SigningKey.es256(kid: "2026-02")
        let http = FakeAuthHTTP()
        Fixture.publish([old], on: http)
        let verifier = Fixture.verifier(Fixture.settings(refreshInterval: .zero), http: http, kind: .idToken)
        _ = try await verifier.verify(try makeJWT(Fixture.claims(), key: old))
        Fixture.publishKeys([old, new], on: http)
        http.delayAnswers(by: .milliseconds(200))
        let tokens = try (0..<20).map { try makeJWT(Fixture.claims(sub: "user-\($0)"), key: new) }
        let refusals = await withTaskGroup(of: AuthFailure?.self) { group in
            for token in tokens { group.addTask { await refusal(verifier, token) } }
            return await group.reduce(into: [AuthFailure?]()) { $0.append($1) }
        }
        #expect(refusals.compactMap { $0?.reason } == [])
        #expect(http.getCount(Fixture.jwksURL) == 2, "one fetch for the first token, one shared by the burst")
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
        #expect(throws: Never.self) { try checks.caller(from: Fixture.claims(exp: Fixture.nowSeconds - 60)) }
        #expect(throws: AuthFailure.invalidToken("the access token has expired", reason: "expired")) {
            try checks.caller(from: Fixture.claims(exp: Fixture.nowSeconds - 60.5))
        }
    }

    @Test func scopeStringAndScpAreMerged() throws {
        let checks = ClaimChecks(settings: Fixture.settings(), now: Fixture.now)
        let caller = try checks.caller(from: Fixture.claims(extra: ["scope": "a  b", "scp": "c"]))
        #expect(caller.scopes == ["a", "b", "c"])
    }

    @Test func expiryNotRequiredForIntrospection() throws {
        let checks = ClaimChecks(settings: Fixture.settings(), now: Fixture.now)
        #expect(try checks.caller(from: Fixture.claims(exp: nil), requireExpiry: false).subject == "user-1")
    }

    // MARK: email_verified

    @Test func anUnverifiedEmailIsWithheld() throws {
        let checks = ClaimChecks(settings: Fixture.settings(), now: Fixture.now)
        for flag: JSONValue in [false, "false", "FALSE", 0] {
            let caller = try checks.caller(from: Fixture.claims(extra: ["email": "eve@example.test", "email_verified": flag]))
            #expect(caller.email == nil)
            #expect(caller.claims["email"] == nil, "user.claims.email cannot bring it back")
            #expect(caller.emailUnverified)
            #expect(caller.value(of: .email) == nil && caller.value(of: .claim("email")) == nil)
        }
    }

    @Test func aVerifiedOrUnmarkedEmailIsKept() throws {
        let checks = ClaimChecks(settings: Fixture.settings(), now: Fixture.now)
        for extra: JSONObject in [["email_verified": true], ["email_verified": "true"], [:]] {
            var claims = Fixture.claims(extra: extra)
            claims["email"] = "ada@example.test"
            let caller = try checks.caller(from: claims)
            #expect(caller.email == "ada@example.test")
            #expect(!caller.emailUnverified)
        }
    }

    @Test func anUnverifiedEmailIsKeptWhenAllowed() throws {
        var settings = Fixture.settings()
        settings.allowUnverifiedEmail = true
        let caller = try ClaimChecks(settings: settings, now: Fixture.now).caller(
            from: Fixture.claims(extra: ["email": "eve@example.test", "email_verified": false]))
        #expect(caller.email == "eve@example.test")
        #expect(!caller.emailUnverified)
    }
}
