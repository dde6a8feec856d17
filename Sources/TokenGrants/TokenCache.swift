import Synchronization

/// Tokens kept until shortly before they expire, each fetched once however
/// many callers ask for it at the same time.
///
/// A hit is one dictionary lookup under a lock: this is on every call of a
/// tool with an obtained credential. A miss starts one fetch for the key;
/// later askers wait for it. A waiter whose call is cancelled stops
/// waiting at once, while the fetch goes on for the others (and its token
/// is kept for the next call). A failure reaches every waiter and is not
/// kept: the next call tries again.
public final class TokenCache<Key: Hashable & Sendable>: Sendable {
    typealias Waiter = CheckedContinuation<Result<IssuedToken, GrantFailure>, Never>

    enum Slot {
        case ready(IssuedToken, until: ContinuousClock.Instant)
        case fetching(waiters: [UInt64: Waiter])
    }

    /// What a new waiter does: take a token that arrived meanwhile, wait
    /// for a fetch under way, or start one.
    enum Next {
        case answer(IssuedToken)
        case wait
        case start
    }

    struct State {
        var slots: [Key: Slot] = [:]
        var nextWaiter: UInt64 = 0
    }

    let state = Mutex(State())
    /// A token is not handed out when it expires within this, so it is
    /// still good when the API receives it.
    let margin: Duration
    let maxEntries: Int
    let now: @Sendable () -> ContinuousClock.Instant

    /// How long a token whose issuer did not say when it expires is kept.
    public static var unstatedLifetime: Duration { .seconds(300) }

    public init(margin: Duration = .seconds(60), maxEntries: Int = 10_000, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.margin = margin
        self.maxEntries = maxEntries
        self.now = now
    }

    public func token(for key: Key, fetch: @escaping @Sendable () async throws(GrantFailure) -> IssuedToken)
        async throws(GrantFailure) -> IssuedToken
    {
        let time = now()
        if case .ready(let token, let until)? = state.withLock({ $0.slots[key] }), until > time { return token }
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter &+= 1
            return state.nextWaiter
        }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: Waiter) in
                let next = state.withLock { state -> Next in
                    switch state.slots[key] {
                    case .ready(let token, let until)? where until > now():
                        return .answer(token)
                    case .fetching(var waiters)?:
                        waiters[id] = continuation
                        state.slots[key] = .fetching(waiters: waiters)
                        return .wait
                    default:
                        state.slots[key] = .fetching(waiters: [id: continuation])
                        return .start
                    }
                }
                switch next {
                case .answer(let token): continuation.resume(returning: .success(token))
                case .wait: break
                case .start: Task { await self.run(key, fetch) }
                }
                // Cancelled before it could be registered: do not wait.
                if Task.isCancelled { self.abandon(key, waiter: id) }
            }
        } onCancel: {
            self.abandon(key, waiter: id)
        }
        return try result.get()
    }

    /// The fetch for `key`; its outcome goes to every waiter and, when it is
    /// a token, into the cache.
    func run(_ key: Key, _ fetch: @Sendable () async throws(GrantFailure) -> IssuedToken) async {
        let result: Result<IssuedToken, GrantFailure>
        do {
            result = .success(try await fetch())
        } catch {
            result = .failure(error)
        }
        let time = now()
        let waiters = state.withLock { state -> [Waiter] in
            guard case .fetching(let waiters)? = state.slots[key] else { return [] }
            switch result {
            case .success(let token):
                let until = (token.expiresAt ?? time + Self.unstatedLifetime) - margin
                if until > time {
                    state.slots[key] = .ready(token, until: until)
                    evictIfFull(&state, now: time)
                } else {
                    state.slots[key] = nil
                }
            case .failure:
                state.slots[key] = nil
            }
            return Array(waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: result) }
    }

    /// A waiter's call was cancelled: it stops waiting; the fetch goes on.
    func abandon(_ key: Key, waiter id: UInt64) {
        let continuation = state.withLock { state -> Waiter? in
            guard case .fetching(var waiters)? = state.slots[key], let continuation = waiters.removeValue(forKey: id) else { return nil }
            state.slots[key] = .fetching(waiters: waiters)
            return continuation
        }
        continuation?.resume(returning: .failure(GrantFailure(.unreachable, "the call was cancelled while its token was fetched")))
    }

    /// Drops `key`'s token if it is still `token` (an API just refused it),
    /// so a newer one fetched meanwhile by another call is kept.
    public func invalidate(_ key: Key, ifAccessToken token: String) {
        state.withLock { state in
            if case .ready(let cached, _)? = state.slots[key], cached.accessToken == token { state.slots[key] = nil }
        }
    }

    /// Drops every token whose key matches (a user unlinked an account).
    public func remove(where matches: (Key) -> Bool) {
        state.withLock { state in
            for key in state.slots.keys where matches(key) {
                if case .ready? = state.slots[key] { state.slots[key] = nil }
            }
        }
    }

    /// Keeps the cache bounded: expired tokens go first, then whatever the
    /// dictionary yields, until a tenth of the room is free.
    func evictIfFull(_ state: inout State, now time: ContinuousClock.Instant) {
        guard state.slots.count > maxEntries else { return }
        for (key, slot) in state.slots {
            if case .ready(_, let until) = slot, until <= time { state.slots[key] = nil }
        }
        var excess = state.slots.count - maxEntries * 9 / 10
        guard excess > 0 else { return }
        for (key, slot) in state.slots where excess > 0 {
            if case .ready = slot {
                state.slots[key] = nil
                excess -= 1
            }
        }
    }

    /// Tokens held (for tests and status).
    public var count: Int {
        state.withLock { state in state.slots.values.reduce(0) { if case .ready = $1 { $0 + 1 } else { $0 } } }
    }
}
