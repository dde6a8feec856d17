import Foundation
import PostgresNIO

/// A `postgres://user:password@host:port/database?sslmode=…` address turned
/// into a ``PostgresClient/Configuration``, so one setting (or one
/// environment variable) says where the shared store lives.
///
/// Only what the gateway needs is understood; anything else is refused
/// rather than ignored, so a mistyped `sslmode` cannot quietly weaken TLS.
public enum PostgresURL {
    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    public static func configuration(_ url: String) throws(Invalid) -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else { throw Invalid(description: "a PostgreSQL URL starts with postgres:// or postgresql://") }
        // Host and port only: Unix sockets are not how replicas reach a shared server.
        guard var host = components.host, !host.isEmpty else { throw Invalid(description: "the PostgreSQL URL names no host") }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let username = components.user, !username.isEmpty else {
            throw Invalid(description: "the PostgreSQL URL names no user (postgres://USER@host/database)")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: username, password: components.password,
            database: database.isEmpty ? nil : database, tls: .disable)
        configuration.tls = try tls(components.queryItems ?? [])
        return configuration
    }

    /// libpq's `sslmode` names, on PostgresNIO's three modes. PostgresNIO
    /// always checks the certificate when it uses TLS, so `require` is as
    /// strict as `verify-full`; the default is libpq's, `prefer`.
    static func tls(_ items: [URLQueryItem]) throws(Invalid) -> PostgresClient.Configuration.TLS {
        var mode = "prefer"
        for item in items {
            guard item.name == "sslmode", let value = item.value else {
                throw Invalid(description: "the PostgreSQL URL parameter \(item.name) is not supported (only sslmode is)")
            }
            mode = value
        }
        switch mode {
        case "disable": return .disable
        case "allow", "prefer": return .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": return .require(.makeClientConfiguration())
        default: throw Invalid(description: "sslmode=\(mode) is not one of disable, allow, prefer, require, verify-ca, verify-full")
        }
    }
}
