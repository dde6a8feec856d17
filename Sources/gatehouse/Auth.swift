import ArgumentParser
import Foundation
import Gateway
import Logging

/// Operator commands for the built-in authorization server.
struct Auth: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the built-in authorization server's grants.",
        subcommands: [Revoke.self]
    )

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
            let location = store ?? ProcessInfo.processInfo.environment["GATEHOUSE_AUTH_STORE"] ?? "gatehouse-auth.sqlite"
            let count = try await GrantRevocation.revoke(store: location, subject: user, clientID: client, logger: Logger(label: "gatehouse"))
            print("revoked \(count) grant\(count == 1 ? "" : "s")")
        }
    }
}
