import Caller
import Foundation
import Synchronization

/// Remembers tokens that passed verification until they expire, so a client
/// that sends the same token on every call pays for the signature check once.
///
/// Keyed by the token itself; an entry never outlives the token's `exp` nor
/// `maximumAge`, so revocation through introspection is noticed within that
/// time. Bounded in size; when full, expired entries go first, then a random
/// half.
public struct CachingTokenVerifier: TokenVerifier {
    let inner: any TokenVerifier
    let cache: Cache
    let maximumAge: TimeInterval
    let now: @Sendable () -> Date

    final class Cache: Sendable {
        struct Entry { var caller: CallerIdentity; var expiresAt: TimeInterval }
        let entries = Mutex<[String: Entry]>([:])
        let capacity: Int
        init(capacity: Int) { self.capacity = capacity }
    }

    public init(
        _ inner: any TokenVerifier, capacity: Int = 10_000, maximumAge: Duration = .seconds(300),
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.inner = inner
        self.cache = Cache(capacity: capacity)
        self.maximumAge = TimeInterval(maximumAge.components.seconds)
        self.now = now
    }

    public func verify(_ token: String) async throws(AuthFailure) -> CallerIdentity {
        let time = now().timeIntervalSince1970
        if let hit = cache.entries.withLock({ $0[token] }), hit.expiresAt > time {
            return hit.caller
        }
        let caller = try await inner.verify(token)
        var expiresAt = time + maximumAge
        if let exp = caller.claims["exp"]?.doubleValue { expiresAt = min(expiresAt, exp) }
        let capacity = cache.capacity
        cache.entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value.expiresAt > time }
                if entries.count >= capacity {
                    for key in entries.keys.shuffled().prefix(max(1, capacity / 2)) { entries.removeValue(forKey: key) }
                }
            }
            entries[token] = .init(caller: caller, expiresAt: expiresAt)
        }
        return caller
    }
}
