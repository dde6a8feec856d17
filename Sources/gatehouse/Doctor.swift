import ArgumentParser
import DeploymentDoctor
import Foundation

/// `gatehouse doctor URL`: will this deployment work with Claude?
struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a deployed MCP endpoint the way Claude and the MCP SDK clients approach it.",
        discussion: """
            Checks HTTPS, the 401 challenge and the protected resource metadata at both well-known \
            forms, the authorization server's metadata, PKCE S256, client registration (DCR, Client ID \
            Metadata Documents), server/discover and the legacy initialize, the tool list (names, \
            descriptions, annotations, size) and Origin handling. Prints each check with PASS, WARN, \
            FAIL or SKIP and how to fix it; exits 1 when a check fails (or warns, with --strict). \
            A server that requires sign-in needs a token for the protocol checks: set \
            GATEHOUSE_DOCTOR_TOKEN (or --token). See docs/doctor.md.
            """
    )

    @Argument(help: "The MCP endpoint's URL, as a user pastes it into Claude (e.g. https://mcp.example.com/mcp).")
    var url: String
    @Option(name: .long, help: "An access token for the protocol checks; GATEHOUSE_DOCTOR_TOKEN keeps it out of the process list.")
    var token: String?
    @Flag(name: .long, help: "Do not register a client by Dynamic Client Registration (Claude does, once per connection).")
    var noRegister = false
    @Flag(name: .long, help: "Exit 1 on warnings too.") var strict = false
    @Option(name: .long, help: "PEM certificate authorities to trust beside the system's.") var caFile: String?

    func run() async throws {
        let token = self.token ?? ProcessInfo.processInfo.environment["GATEHOUSE_DOCTOR_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let client = HTTPDoctorTransport.makeHTTPClient(caFile: caFile)
        let doctor = DeploymentDoctor(
            transport: HTTPDoctorTransport(client: client), options: .init(token: token, registerClient: !noRegister))
        let findings = await doctor.examine(url)
        try? await client.shutdown()
        let report = DoctorReport(url: url, findings: findings)
        for line in report.lines { print(line) }
        if !report.passes(strict: strict) { throw ExitCode.failure }
    }
}
