import Synchronization

/// Holds the catalog being served. Readers take the current snapshot in one
/// short critical section and then work without any lock; a reload replaces
/// the whole snapshot at once.
public final class CatalogStore: Sendable {
    private let current: Mutex<Catalog>

    public init(_ catalog: Catalog = .empty) {
        current = Mutex(catalog)
    }

    public var catalog: Catalog {
        current.withLock { $0 }
    }

    public func replace(with catalog: Catalog) {
        current.withLock { $0 = catalog }
    }
}
