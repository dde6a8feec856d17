import ArgumentParser
import Configuration
import Foundation
import Gateway
import Logging

/// Operator commands for the built-in authorization server.
struct Auth: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the authorization store: grants, users' linked accounts and keys, the sealing secret.",
        subcommands: [Revoke.self, Unlink.self, Reseal.self]
    )

    static func storeLocation(_ option: String?) -> String {
        option ?? ProcessInfo.processInfo.environment["GATEHOUSE_AUTH_STORE"] ?? "gatehouse-auth.sqlite"
    }

    struct Unlink: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a user's linked accounts and personal API keys (all, or one connector's); "
                + "their next call asks them to link again."
        )

        @Option(name: .long, help: "The user's subject (the sub claim).") var user: String
        @Option(name: .long, help: "Only this connector's credential.") var connector: String?
        @Option(name: .long, help: "SQLite file or postgres:// URL (GATEHOUSE_AUTH_STORE; default gatehouse-auth.sqlite).")
        var store: String?

        func run() async throws {
            let count = try await StoreMaintenance.unlink(
                store: Auth.storeLocation(store), subject: user, connector: connector, logger: Logger(label: "gatehouse"))
            print("removed \(count) credential\(count == 1 ? "" : "s")")
        }
    }

    struct Reseal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-seal everything stored under the current GATEHOUSE_AUTH_STORE_SECRET, opening it with the previous "
                + "secrets in GATEHOUSE_AUTH_STORE_PREVIOUS_SECRETS_FILE; afterwards the previous secrets can go."
        )

        @Option(name: .long, help: "SQLite file or postgres:// URL (GATEHOUSE_AUTH_STORE; default gatehouse-auth.sqlite).")
        var store: String?

        func run() async throws {
            let report = try await StoreMaintenance.reseal(
                store: Auth.storeLocation(store), reader: ConfigReader(provider: EnvironmentVariablesProvider()),
                logger: Logger(label: "gatehouse"))
            print(report.description)
            if report.unreadable > 0 {
                throw ValidationError("\(report.unreadable) value(s) open with none of the secrets given; they were left as they are")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke every grant of one user or one client: their refresh tokens stop working at once, "
                + "access tokens already issued expire within their lifetime (GATEHOUSE_AUTH_ACCESS_TOKEN_SECONDS)."
        )

        @Option(name: .long, help: "The user's subject (the sub claim from the identity provider).") var user: String?
        @Option(name: .long, help: "The client id.") var client: String?
        @Option(name: .long, help: "SQLite file or postgres:// URL (GATEHOUSE_AUTH_STORE; default gatehouse-auth.sqlite).")
        var store: String?

        func validate() throws {
            guard user != nil || client != nil else { throw ValidationError("say whose grants to revoke: --user, --client or both") }
        }

        func run() async throws {
            let count = try await GrantRevocation.revoke(store: Auth.storeLocation(store), subject: user, clientID: client, logger: Logger(label: "gatehouse"))
            print("revoked \(count) grant\(count == 1 ? "" : "s")")
        }
    }
}
