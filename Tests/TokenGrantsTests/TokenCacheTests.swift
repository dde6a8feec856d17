import Synchronization
import Testing

@testable import TokenGrants

/// A clock tests move by hand.
final class ManualClock: Sendable {
    let current = Mutex(ContinuousClock.now)
    var now: ContinuousClock.Instant { current.withLock { $0 } }
    func advance(_ by: Duration) { current.withLock { $0 += by } }
}

@Suite struct TokenCacheTests {
    /// A fetch that counts its runs and takes a moment, so concurrent askers overlap.
    final class Fetches: Sendable {
        let count = Atomic(0)
        func make(_ name: String, lifetime: Duration = .seconds(3600), delay: Duration = .milliseconds(50))
            -> @Sendable () async throws(GrantFailure) -> IssuedToken
        {
            { [self] () async throws(GrantFailure) -> IssuedToken in
                let n = count.add(1, ordering: .relaxed).newValue
                try? await Task.sleep(for: delay)
                return IssuedToken(accessToken: "\(name)-\(n)", expiresAt: .now + lifetime)
            }
        }
    }

    @Test func aHundredConcurrentAskersCauseOneFetch() async throws {
        let cache = TokenCache<String>()
        let fetches = Fetches()
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<100 { group.addTask { try await cache.token(for: "alice", fetch: fetches.make("alice")).accessToken } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(fetches.count.load(ordering: .relaxed) == 1)
        #expect(tokens == ["alice-1"])
    }

    @Test func keysNeverShareATokenEvenUnderConcurrency() async throws {
        let cache = TokenCache<String>()
        let fetches = Fetches()
        let pairs = try await withThrowingTaskGroup(of: (String, String).self) { group in
            for i in 0..<200 {
                let user = "user-\(i % 100)"
                group.addTask {
                    let token = try await cache.token(for: user) { () async throws(GrantFailure) -> IssuedToken in
                        try await fetches.make(user)()
                    }
                    return (user, token.accessToken)
                }
            }
            return try await group.reduce(into: [(String, String)]()) { $0.append($1) }
        }
        #expect(fetches.count.load(ordering: .relaxed) == 100)
        for (user, token) in pairs { #expect(token.hasPrefix(user + "-"), "\(user) got \(token)") }
    }

    @Test func aTokenIsNotHandedOutWithinTheMarginOfItsExpiry() async throws {
        let clock = ManualClock()
        let cache = TokenCache<String>(margin: .seconds(60), now: { clock.now })
        let count = Atomic(0)
        let fetch = { @Sendable () async throws(GrantFailure) -> IssuedToken in
            let n = count.add(1, ordering: .relaxed).newValue
            return IssuedToken(accessToken: "t\(n)", expiresAt: clock.now + .seconds(300))
        }
        #expect(try await cache.token(for: "k", fetch: fetch).accessToken == "t1")
        clock.advance(.seconds(239))
        #expect(try await cache.token(for: "k", fetch: fetch).accessToken == "t1")
        clock.advance(.seconds(2))
        #expect(try await cache.token(for: "k", fetch: fetch).accessToken == "t2")
    }

    @Test func failuresReachEveryWaiterAndAreNotKept() async throws {
        let cache = TokenCache<String>()
        let count = Atomic(0)
        let failing = { @Sendable () async throws(GrantFailure) -> IssuedToken in
            count.add(1, ordering: .relaxed)
            try? await Task.sleep(for: .milliseconds(30))
            throw GrantFailure(kind: .unreachable, description: "down")
        }
        let failures = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<10 {
                group.addTask { (try? await cache.token(for: "k", fetch: failing)) == nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(failures == 10)
        #expect(count.load(ordering: .relaxed) == 1)
        _ = try? await cache.token(for: "k", fetch: failing)
        #expect(count.load(ordering: .relaxed) == 2)
    }

    @Test func invalidateDropsOnlyTheTokenThatWasRefused() async throws {
        let cache = TokenCache<String>()
        let fetches = Fetches()
        let first = try await cache.token(for: "k", fetch: fetches.make("k", delay: .zero))
        cache.invalidate("k", ifAccessToken: "some-other-token")
        #expect(try await cache.token(for: "k", fetch: fetches.make("k", delay: .zero)) == first)
        cache.invalidate("k", ifAccessToken: first.accessToken)
        #expect(try await cache.token(for: "k", fetch: fetches.make("k", delay: .zero)).accessToken == "k-2")
    }

    @Test(.timeLimit(.minutes(1))) func aCancelledWaiterStopsWaitingWhileTheFetchGoesOn() async throws {
        let cache = TokenCache<String>()
        let started = AsyncStream<Void>.makeStream()
        let release = AsyncStream<Void>.makeStream()
        let fetches = Atomic(0)
        // A fetch that holds until the test lets it go: the order of events,
        // not a stopwatch, shows the waiter left before the fetch ended.
        let gated: @Sendable () async throws(GrantFailure) -> IssuedToken = { () async throws(GrantFailure) -> IssuedToken in
            let n = fetches.add(1, ordering: .relaxed).newValue
            started.continuation.yield()
            for await _ in release.stream { break }
            return IssuedToken(accessToken: "gated-\(n)", expiresAt: .now + .seconds(3600))
        }
        let waiter = Task { try await cache.token(for: "k", fetch: gated) }
        for await _ in started.stream { break }
        waiter.cancel()
        let outcome = await waiter.result
        #expect(throws: GrantFailure.self) { try outcome.get() }
        // The fetch is still held, and its token reaches whoever asks next.
        let next = Task { try await cache.token(for: "k", fetch: gated) }
        release.continuation.yield()
        #expect(try await next.value.accessToken == "gated-1")
        #expect(fetches.load(ordering: .relaxed) == 1)
    }

    @Test func theCacheStaysBounded() async throws {
        let cache = TokenCache<Int>(maxEntries: 50)
        for i in 0..<200 {
            _ = try await cache.token(for: i) { () async throws(GrantFailure) -> IssuedToken in
                IssuedToken(accessToken: "t\(i)", expiresAt: .now + .seconds(600))
            }
        }
        #expect(cache.count <= 50)
    }

    @Test func aTokenWithoutAnExpiryIsKeptForALimitedTime() async throws {
        let clock = ManualClock()
        let cache = TokenCache<String>(margin: .seconds(60), now: { clock.now })
        let count = Atomic(0)
        let fetch = { @Sendable () async throws(GrantFailure) -> IssuedToken in
            IssuedToken(accessToken: "t\(count.add(1, ordering: .relaxed).newValue)")
        }
        _ = try await cache.token(for: "k", fetch: fetch)
        clock.advance(TokenCache<String>.unstatedLifetime)
        #expect(try await cache.token(for: "k", fetch: fetch).accessToken == "t2")
    }
}
