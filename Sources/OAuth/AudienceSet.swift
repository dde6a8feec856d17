import Synchronization

/// Token audiences accepted besides the configured ones: those of the
/// extra endpoints, which come and go with reloads.
///
/// The token verifier is shared by every endpoint, so it accepts any of
/// them; each endpoint's ``ResourceServer`` then insists on its own, which
/// is what keeps a token for one endpoint out of another.
public final class AudienceSet: Sendable {
    private let audiences = Mutex<Set<String>>([])

    public init(_ audiences: [String] = []) {
        self.audiences.withLock { $0 = Set(audiences) }
    }

    public func replace(with audiences: [String]) {
        self.audiences.withLock { $0 = Set(audiences) }
    }

    public func contains(_ audience: String) -> Bool {
        audiences.withLock { $0.contains(audience) }
    }
}
