import AuthorizationServer
import Configuration
import Foundation
import Logging

/// `gatehouse auth unlink` and `gatehouse auth reseal`: they work straight
/// on the store, whether or not a gateway is running, and reach every
/// replica at once (replicas read a user's credential again within 30 s).
public enum StoreMaintenance {
    /// Removes a user's linked accounts and personal keys (one connector's,
    /// or all); returns how many.
    public static func unlink(
        store location: String, subject: String, connector: String?, events: any AuthorizationEventSink = AuthorizationAuditLog(),
        logger: Logger
    ) async throws -> Int {
        try await withStore(location, logger: logger) { store in
            let count = try await store.deleteUserCredentials(subject: subject, connector: connector)
            events.record(
                .init(.unlinked, clientID: nil, subject: subject, reason: "operator removed \(count) credential(s)" + (connector.map { " for \($0)" } ?? "")))
            return count
        }
    }

    /// Re-seals everything under the current storage secret; the previous
    /// secrets come from the same settings `serve` reads.
    public static func reseal(store location: String, reader: ConfigReader, logger: Logger) async throws -> StoreResealing.Report {
        guard let secret = try reader.secret(SettingDeclaration.storeSecret) else {
            throw GatewaySettings.Invalid(description: "reseal needs GATEHOUSE_AUTH_STORE_SECRET or _FILE: the secret to seal with")
        }
        let box: SecretBox
        do {
            box = try SecretBox(secret: Array(secret.utf8), previous: try AuthorizationServerSettings.previousSecrets(reader))
        } catch let error as SecretBox.Failure {
            throw GatewaySettings.Invalid(description: error.description)
        }
        return try await withStore(location, logger: logger) { store in try await StoreResealing.reseal(store, box: box) }
    }

    static func withStore<Result: Sendable>(_ location: String, logger: Logger, _ body: (any AuthStore) async throws -> Result)
        async throws -> Result
    {
        let opened = try await AuthStoreFactory.open(location, logger: logger)
        do {
            try await opened.store.migrate()
            let result = try await body(opened.store)
            try await opened.close()
            return result
        } catch {
            try? await opened.close()
            throw error
        }
    }
}
