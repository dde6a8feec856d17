import ConnectorModel
import Synchronization

/// The redactor for a credential, built once per value rather than on
/// every call: a cached token is sent many times.
final class RedactorMemo: Sendable {
    private let entries = Mutex<[String: SecretRedactor]>([:])
    /// Tokens are replaced over time; past this many the memo starts again.
    static let capacity = 4096

    func redactor(for value: String) -> SecretRedactor {
        if let known = entries.withLock({ $0[value] }) { return known }
        let made = SecretRedactor(secrets: [value])
        entries.withLock {
            if $0.count >= Self.capacity { $0.removeAll(keepingCapacity: true) }
            $0[value] = made
        }
        return made
    }
}
