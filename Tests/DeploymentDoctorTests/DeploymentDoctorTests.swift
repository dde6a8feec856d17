import GatehouseJSON
import Testing

@testable import DeploymentDoctor

/// The doctor against scripted deployments: one configured as Claude needs
/// it, then one wrong setting at a time, each expected to produce its own
/// finding.
@Suite struct DeploymentDoctorTests {
    static func examine(_ deployment: ScriptedDeployment, token: String? = "good-token-0123456789", url: String? = nil) async -> [DoctorFinding] {
        await DeploymentDoctor(transport: deployment, options: .init(token: token)).examine(url ?? deployment.url)
    }

    static func verdicts(_ findings: [DoctorFinding], _ check: String) -> [DoctorFinding.Verdict] {
        findings.filter { $0.check == check }.map(\.verdict)
    }

    @Test func aDeploymentConfiguredRightPassesEveryCheck() async {
        let deployment = ScriptedDeployment()
        let findings = await Self.examine(deployment)
        #expect(findings.allSatisfy { $0.verdict == .pass }, "\(findings.filter { $0.verdict != .pass })")
        #expect(
            findings.map(\.check) == [
                "https", "reachable", "challenge", "loose-probe", "resource-metadata", "resource-metadata-root", "authorization-server", "pkce",
                "client-registration", "token", "discover", "initialize", "tools", "tool-names", "origin", "get-probe",
            ])
        #expect(DoctorReport(url: deployment.url, findings: findings).passes(strict: true))
        // Registration as Claude does it: a public client with Claude's callback.
        let registration = deployment.sent.all.first { $0.url.hasSuffix("/register") }
        let body = try? JSONParser.parse(registration?.body ?? [])
        #expect(body?["redirect_uris"] == ["https://claude.ai/api/mcp/auth_callback"])
        #expect(body?["token_endpoint_auth_method"] == "none")
    }

    @Test func answersAsEventStreamsAreRead() async {
        var deployment = ScriptedDeployment()
        deployment.eventStreamAnswers = true
        let findings = await Self.examine(deployment)
        #expect(findings.allSatisfy { $0.verdict == .pass }, "\(findings.filter { $0.verdict != .pass })")
    }

    @Test func plainHTTPFailsExceptOnThisMachine() async {
        var remote = ScriptedDeployment()
        remote.base = "http://mcp.example.com"
        remote.requiresSignIn = false
        #expect(Self.verdicts(await Self.examine(remote), "https") == [.failure])
        var local = ScriptedDeployment()
        local.base = "http://127.0.0.1:8080"
        local.requiresSignIn = false
        #expect(Self.verdicts(await Self.examine(local), "https") == [.warning])
    }

    @Test func anUnreachableEndpointEndsTheExamination() async {
        var deployment = ScriptedDeployment()
        deployment.unreachable = true
        let findings = await Self.examine(deployment)
        #expect(findings.map(\.check) == ["https", "reachable"])
        #expect(findings.last?.verdict == .failure)
        #expect(findings.last?.summary.contains("connection refused") == true)
    }

    @Test func aURLThatIsNotAnEndpointIsRefused() async {
        let findings = await Self.examine(ScriptedDeployment(), url: "mcp.example.com/mcp")
        #expect(findings.map(\.verdict) == [.failure])
    }

    @Test func aChallengeWithoutResourceMetadataFails() async {
        var deployment = ScriptedDeployment()
        deployment.challenge = "Bearer realm=\"mcp\""
        let findings = await Self.examine(deployment)
        #expect(Self.verdicts(findings, "challenge") == [.failure])
        #expect(findings.first { $0.check == "challenge" }?.summary.contains("no resource_metadata") == true)
    }

    @Test func aRelativeResourceMetadataURLFails() async {
        var deployment = ScriptedDeployment()
        deployment.challenge = #"Bearer resource_metadata="/.well-known/oauth-protected-resource/mcp""#
        let finding = await Self.examine(deployment).first { $0.check == "challenge" }
        #expect(finding?.verdict == .failure)
        #expect(finding?.summary.contains("not an absolute URL") == true)
    }

    @Test func aResourceOtherThanTheURLFailsNamingBoth() async {
        var deployment = ScriptedDeployment()
        deployment.resource = "http://localhost:8080/mcp"
        let findings = await Self.examine(deployment)
        #expect(Self.verdicts(findings, "resource-metadata") == [.failure])
        let summary = findings.first { $0.check == "resource-metadata" }?.summary ?? ""
        #expect(summary.contains("http://localhost:8080/mcp") && summary.contains("https://mcp.example.com/mcp"))
        #expect(findings.first { $0.check == "resource-metadata" }?.fix?.contains("GATEHOUSE_PUBLIC_URL") == true)
    }

    @Test func metadataOnlyAtThePathInsertedFormFailsTheRootForm() async {
        var deployment = ScriptedDeployment()
        deployment.servesRootMetadata = false
        let findings = await Self.examine(deployment)
        #expect(Self.verdicts(findings, "resource-metadata") == [.pass])
        #expect(Self.verdicts(findings, "resource-metadata-root") == [.failure])
    }

    @Test func anIssuerWithoutS256FailsPKCE() async {
        var deployment = ScriptedDeployment()
        deployment.issuerMetadata["code_challenge_methods_supported"] = ["plain"]
        #expect(Self.verdicts(await Self.examine(deployment), "pkce") == [.failure])
        deployment.issuerMetadata["code_challenge_methods_supported"] = nil
        let finding = await Self.examine(deployment).first { $0.check == "pkce" }
        #expect(finding?.verdict == .failure)
        #expect(finding?.summary.contains("no code_challenge_methods_supported") == true)
    }

    @Test func metadataNamingAnotherIssuerFails() async {
        var deployment = ScriptedDeployment()
        deployment.issuerMetadata["issuer"] = "https://login.example.com/"
        let finding = await Self.examine(deployment).first { $0.check == "authorization-server" }
        #expect(finding?.verdict == .failure)
        #expect(finding?.summary.contains("says its issuer is https://login.example.com/") == true)
    }

    @Test func anIssuerWithoutMetadataFails() async {
        var deployment = ScriptedDeployment()
        deployment.issuer = "https://elsewhere.example.com"
        let findings = await Self.examine(deployment)
        #expect(Self.verdicts(findings, "authorization-server") == [.failure])
        #expect(!findings.contains { $0.check == "pkce" })
    }

    @Test func noWayToBecomeAClientIsAWarning() async {
        var deployment = ScriptedDeployment()
        deployment.issuerMetadata["registration_endpoint"] = nil
        #expect(Self.verdicts(await Self.examine(deployment), "client-registration") == [.warning])
        deployment.issuerMetadata["client_id_metadata_document_supported"] = true
        let findings = await Self.examine(deployment)
        #expect(Self.verdicts(findings, "client-id-metadata") == [.pass])
        #expect(Self.verdicts(findings, "client-registration") == [])
        deployment.issuerMetadata["token_endpoint_auth_methods_supported"] = ["client_secret_basic"]
        #expect(Self.verdicts(await Self.examine(deployment), "client-id-metadata") == [.warning])
    }

    @Test func aRegistrationRefusingClaudesCallbackFails() async {
        var deployment = ScriptedDeployment()
        deployment.registration = (400, #"{"error":"invalid_redirect_uri"}"#)
        let finding = await Self.examine(deployment).first { $0.check == "client-registration" }
        #expect(finding?.verdict == .failure)
        #expect(finding?.summary.contains("invalid_redirect_uri") == true)
    }

    @Test func nullsInTheRegistrationAnswerWarn() async {
        var deployment = ScriptedDeployment()
        deployment.registration = (201, #"{"client_id":"c","client_secret":null}"#)
        #expect(Self.verdicts(await Self.examine(deployment), "client-registration") == [.warning])
    }

    @Test func withoutRegisteringNoClientIsLeftBehind() async {
        let deployment = ScriptedDeployment()
        let findings = await DeploymentDoctor(transport: deployment, options: .init(token: deployment.token, registerClient: false)).examine(deployment.url)
        #expect(Self.verdicts(findings, "client-registration") == [.pass])
        #expect(!deployment.sent.all.contains { $0.url.hasSuffix("/register") })
    }

    @Test func aServerWithoutDiscoverFails() async {
        var deployment = ScriptedDeployment()
        deployment.discoverIsUnknown = true
        let finding = await Self.examine(deployment).first { $0.check == "discover" }
        #expect(finding?.verdict == .failure)
        #expect(finding?.summary.contains("-32601") == true)
    }

    @Test func aForeignOriginAcceptedFails() async {
        var deployment = ScriptedDeployment()
        deployment.acceptsAnyOrigin = true
        let finding = await Self.examine(deployment).first { $0.check == "origin" }
        #expect(finding?.verdict == .failure)
        #expect(finding?.fix?.contains("GATEHOUSE_ALLOWED_ORIGINS") == true)
    }

    @Test func aLooseProbeRefusedFails() async {
        var deployment = ScriptedDeployment()
        deployment.looseProbeStatus = 406
        #expect(Self.verdicts(await Self.examine(deployment), "loose-probe") == [.failure])
    }

    @Test func anOpenServerWarnsAndSkipsTheSignInChecks() async {
        var deployment = ScriptedDeployment()
        deployment.requiresSignIn = false
        let findings = await Self.examine(deployment, token: nil)
        #expect(Self.verdicts(findings, "sign-in") == [.warning])
        #expect(!findings.contains { $0.check.hasPrefix("resource-metadata") || $0.check == "pkce" || $0.check == "token" })
        #expect(Self.verdicts(findings, "discover") == [.pass])
        #expect(Self.verdicts(findings, "tools") == [.pass])
    }

    @Test func withoutATokenTheProtocolChecksAreSkipped() async {
        let findings = await Self.examine(ScriptedDeployment(), token: nil)
        #expect(Self.verdicts(findings, "protocol") == [.skipped])
        #expect(!findings.contains { $0.check == "discover" })
        #expect(Self.verdicts(findings, "pkce") == [.pass])
    }

    @Test func aRefusedTokenFailsAndIsNeverShown() async {
        let wrong = "wrong-token-abcdefghijklmnop"
        let findings = await Self.examine(ScriptedDeployment(), token: wrong)
        let finding = findings.first { $0.check == "token" }
        #expect(finding?.verdict == .failure)
        #expect(finding?.summary.contains("the token has expired") == true)
        #expect(!findings.contains { $0.check == "discover" })
        let report = DoctorReport(url: ScriptedDeployment().url, findings: findings).lines.joined(separator: "\n")
        #expect(!report.contains(wrong))
    }

    @Test func theReportShowsEachFindingAndFailsOnFailures() {
        let findings: [DoctorFinding] = [
            .init("https", .pass, "served over HTTPS"), .init("pkce", .warning, "odd", fix: "change it"),
        ]
        let report = DoctorReport(url: "https://x/mcp", findings: findings)
        #expect(report.lines == [
            "gatehouse doctor https://x/mcp",
            "  PASS  https  served over HTTPS",
            "  WARN  pkce   odd",
            "               fix: change it",
            "1 passed, 1 warning, 0 failed, 0 skipped",
        ])
        #expect(report.passes(strict: false))
        #expect(!report.passes(strict: true))
        #expect(!DoctorReport(url: "u", findings: [.init("x", .failure, "no")]).passes(strict: false))
    }
}
