import Caller
import Foundation
import GatehouseJSON
import Logging
import Synchronization
import Testing

import OAuthTestSupport

@testable import OAuth

@Suite("Introspection")
struct IntrospectionTests {
    static let endpoint = "https://issuer.example.test/introspect"

    static func verifier(_ http: FakeAuthHTTP) -> JWTVerifier {
        var settings = Fixture.settings()
        settings.introspection = .init(endpoint: endpoint, clientID: "gatehouse client", clientSecret: "s3cr:et")
        return Fixture.verifier(settings, http: http)
    }

    static func answer(_ extra: JSONObject = [:]) -> JSONValue {
        var object: JSONObject = [
            "active": true, "iss": .string(Fixture.issuer), "sub": "opaque-user", "aud": .string(Fixture.audience),
            "scope": "tickets:read tickets:write", "email": "o@example.test", "exp": .double(Fixture.nowSeconds + 300),
        ]
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }

    @Test func activeOpaqueTokenGivesTheCaller() async throws {
        let http = FakeAuthHTTP()
        http.answerPosts(to: Self.endpoint, json: Self.answer())
        let caller = try await Self.verifier(http).verify("opaque-token-123")
        #expect(caller.subject == "opaque-user")
        #expect(caller.email == "o@example.test")
        #expect(caller.scopes == ["tickets:read", "tickets:write"])
        #expect(http.gets.isEmpty)
    }

    @Test func clientCredentialsAndTokenAreSent() async throws {
        let http = FakeAuthHTTP()
        http.answerPosts(to: Self.endpoint, json: Self.answer())
        _ = try await Self.verifier(http).verify("opaque-token-123")
        let post = try #require(http.posts.first)
        #expect(http.posts.count == 1)
        #expect(post.url == Self.endpoint)
        #expect(post.user == "gatehouse client")
        #expect(post.password == "s3cr:et")
        #expect(post.field("token") == "opaque-token-123")
        #expect(post.field("token_type_hint") == "access_token")
    }

    @Test func inactiveTokenIsRefused() async throws {
        let http = FakeAuthHTTP()
        http.answerPosts(to: Self.endpoint, json: ["active": false])
        let refused = try #require(await refusal(Self.verifier(http), "opaque-token-123"))
        #expect(refused.kind == .invalidToken)
        #expect(refused.reason == "inactive")
        #expect(refused.httpStatus == 401)
    }

    /// An answer the introspection endpoint gave, and why it does not let
    /// the token in: `active` must be the boolean true, and the issuer,
    /// audience and expiry are checked as for a JWT.
    @Test(arguments: [
        (["active": "true"], "inactive"),
        (["iss": "https://evil.example.test"], "issuer"),
        (["aud": "https://other.example.test"], "audience"),
        (["exp": .double(Fixture.nowSeconds - 600)], "expired"),
    ] as [(JSONObject, String)])
    func answersThatAreRefused(changes: JSONObject, reason: String) async throws {
        let http = FakeAuthHTTP()
        http.answerPosts(to: Self.endpoint, json: Self.answer(changes))
        let refused = try #require(await refusal(Self.verifier(http), "opaque-token-123"))
        #expect(refused.kind == .invalidToken)
        #expect(refused.reason == reason)
    }

    @Test func introspectionErrorIsUnavailable() async throws {
        let http = FakeAuthHTTP()
        http.answerPosts(to: Self.endpoint, json: ["error": "invalid_client"], status: 401)
        let refused = try #require(await refusal(Self.verifier(http), "opaque-token-123"))
        #expect(refused.kind == .invalidToken)
        #expect(refused.reason == "introspection_unavailable")
    }

    @Test func jwtShapedTokensAreNotIntrospected() async throws {
        let http = FakeAuthHTTP()
        http.answerPosts(to: Self.endpoint, json: Self.answer())
        let token = try makeJWT(header: ["alg": "none"], claims: Fixture.claims(), signer: nil)
        let refused = try #require(await refusal(Self.verifier(http), token))
        #expect(refused.reason == "algorithm")
        #expect(http.posts.isEmpty)
    }
}

// MARK: - Cache

/// Counts calls and answers with a fixed identity (or a failure).
final class CountingVerifier: TokenVerifier {
    private let calls = Mutex(0)
    let exp: Double?
    let fails: Bool

    init(exp: Double? = nil, fails: Bool = false) {
        self.exp = exp
        self.fails = fails
    }

    var count: Int { calls.withLock { $0 } }

    func verify(_ token: String) async throws(AuthFailure) -> CallerIdentity {
        calls.withLock { $0 += 1 }
        if fails { throw .invalidToken("no", reason: "signature") }
        var claims: JSONObject = ["sub": .string("sub-" + token)]
        if let exp { claims["exp"] = .double(exp) }
        return CallerIdentity(subject: "sub-" + token, claims: claims, scopes: ["s"])
    }
}

final class TestClock: Sendable {
    private let time = Mutex(Fixture.now)
    var now: Date { time.withLock { $0 } }
    func advance(_ seconds: Double) { time.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

@Suite("Verified-token cache")
struct CachingTokenVerifierTests {
    @Test func secondVerifyIsServedFromTheCache() async throws {
        let inner = CountingVerifier(exp: Fixture.nowSeconds + 300)
        let clock = TestClock()
        let cache = CachingTokenVerifier(inner, now: { clock.now })
        let first = try await cache.verify("t1")
        let second = try await cache.verify("t1")
        #expect(first.subject == "sub-t1")
        #expect(second.subject == "sub-t1")
        #expect(inner.count == 1)
        _ = try await cache.verify("t2")
        #expect(inner.count == 2)
    }

    @Test func entriesEndAtTheTokenExpiry() async throws {
        let inner = CountingVerifier(exp: Fixture.nowSeconds + 100)
        let clock = TestClock()
        let cache = CachingTokenVerifier(inner, maximumAge: .seconds(300), now: { clock.now })
        _ = try await cache.verify("t1")
        clock.advance(99)
        _ = try await cache.verify("t1")
        #expect(inner.count == 1)
        clock.advance(2)
        _ = try await cache.verify("t1")
        #expect(inner.count == 2, "an expired token is checked again, not served from the cache")
    }

    @Test func entriesEndAtTheMaximumAge() async throws {
        let inner = CountingVerifier(exp: nil)
        let clock = TestClock()
        let cache = CachingTokenVerifier(inner, maximumAge: .seconds(10), now: { clock.now })
        _ = try await cache.verify("t1")
        clock.advance(9)
        _ = try await cache.verify("t1")
        #expect(inner.count == 1)
        clock.advance(2)
        _ = try await cache.verify("t1")
        #expect(inner.count == 2)
    }

    @Test func failuresAreNotCached() async throws {
        let inner = CountingVerifier(fails: true)
        let cache = CachingTokenVerifier(inner, now: { Fixture.now })
        for _ in 0..<2 {
            let refused = await refusal(cache, "bad")
            #expect(refused?.reason == "signature")
        }
        #expect(inner.count == 2)
        #expect(cache.cache.entries.withLock { $0.count } == 0)
    }

    @Test func sizeStaysWithinTheCapacity() async throws {
        let inner = CountingVerifier(exp: Fixture.nowSeconds + 300)
        let cache = CachingTokenVerifier(inner, capacity: 4, now: { Fixture.now })
        for index in 0..<50 { _ = try await cache.verify("token-\(index)") }
        let size = cache.cache.entries.withLock { $0.count }
        #expect(size <= 4)
        #expect(size >= 1)
        #expect(inner.count == 50)
        // The newest token is always kept.
        _ = try await cache.verify("token-49")
        #expect(inner.count == 50)
    }

    @Test func expiredEntriesGoFirstWhenFull() async throws {
        let inner = CountingVerifier(exp: nil)
        let clock = TestClock()
        let cache = CachingTokenVerifier(inner, capacity: 3, maximumAge: .seconds(10), now: { clock.now })
        _ = try await cache.verify("old-1")
        _ = try await cache.verify("old-2")
        clock.advance(5)
        _ = try await cache.verify("fresh")
        clock.advance(6)  // old-1 and old-2 have expired, fresh has not.
        _ = try await cache.verify("new")
        let keys = Set(cache.cache.entries.withLock { Array($0.keys) })
        #expect(keys == ["fresh", "new"])
    }

    @Test func capacityOfOneIsABound() async throws {
        let inner = CountingVerifier(exp: Fixture.nowSeconds + 300)
        let cache = CachingTokenVerifier(inner, capacity: 1, now: { Fixture.now })
        for index in 0..<10 { _ = try await cache.verify("token-\(index)") }
        // Regression (fixed), this used to fail: when full, the cache evicts `capacity / 2` random entries,
        // which is 0 for capacity 1, so it grows without bound.
        #expect(cache.cache.entries.withLock { $0.count } <= 1)
    }
}
