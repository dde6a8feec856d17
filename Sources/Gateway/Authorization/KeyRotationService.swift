import AuthorizationServer
import Logging
import ServiceLifecycle

/// Checks the signing keys now and then: makes the next key when the
/// current one is due, drops keys whose tokens have all expired, and picks
/// up a key another replica made.
struct KeyRotationService: Service {
    let keys: SigningKeys
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            do {
                let before = try await keys.current().signingKeyID
                let after = try await keys.refresh().signingKeyID
                if before != after { logger.notice("signing key rotated", metadata: ["kid": .string(after)]) }
            } catch {
                logger.error("signing keys could not be refreshed: \(error)")
            }
        }
    }
}

extension BuiltInAuthorizationServer {
    /// Background work the server needs while it runs.
    public func services(logger: Logger) -> [any Service] {
        [KeyRotationService(keys: keys, interval: .seconds(3600), logger: logger)]
    }
}
