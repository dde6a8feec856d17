import Configuration
import Foundation
import GatehouseJSON
import GatehouseTesting
import Testing

@testable import Gateway

/// The console's memory of recent calls: forwarded to the audit log as
/// before, bounded, and counted per served tool.
@Suite("Operator activity")
struct OperatorActivityTests {
    static func record(_ tool: String, outcome: String = "ok", milliseconds: Int, connector: String? = "desk") -> AuditRecord {
        AuditRecord(
            tool: tool, connector: connector, subject: "alice", argumentKeys: ["id"], arguments: nil, outcome: outcome,
            upstreamStatus: outcome == "ok" ? 200 : 500, latency: .milliseconds(milliseconds), upstreamDuration: nil, responseBytes: 10,
            attempts: 1, era: "modern", requestID: nil, traceID: nil)
    }

    @Test func everyRecordStillReachesTheAuditLog() {
        let trail = AuditTrail()
        let activity = OperatorActivity(forwardingTo: trail)
        activity.record(Self.record("a", milliseconds: 5))
        #expect(trail.all.map(\.tool) == ["a"])
    }

    @Test func callsFailuresAndPercentilesPerTool() throws {
        let activity = OperatorActivity(forwardingTo: AuditTrail())
        for milliseconds in 1...100 { activity.record(Self.record("a", milliseconds: milliseconds)) }
        activity.record(Self.record("a", outcome: "timeout", milliseconds: 1000))
        activity.record(Self.record("b", outcome: "confirmation_asked", milliseconds: 3))
        let tools = activity.snapshot.tools
        let a = try #require(tools["a"])
        #expect(a.calls == 101 && a.failures == 1)
        #expect(a.percentile(0.5) == .milliseconds(51))
        #expect(a.percentile(0.99) == .milliseconds(100))
        #expect(a.percentile(1) == .milliseconds(1000))
        #expect(tools["b"]?.failures == 0, "waiting for the user is not a failure")
        #expect(OperatorActivity.Tally().percentile(0.5) == nil)
    }

    @Test func memoryIsBounded() throws {
        let activity = OperatorActivity(forwardingTo: AuditTrail())
        for index in 0..<(OperatorActivity.latenciesKept + 300) { activity.record(Self.record("a", milliseconds: index)) }
        let snapshot = activity.snapshot
        #expect(snapshot.recent.count == OperatorActivity.recentKept)
        #expect(snapshot.recent.first?.record.latency == .milliseconds(OperatorActivity.latenciesKept + 299), "newest first")
        let tally = try #require(snapshot.tools["a"])
        #expect(tally.calls == OperatorActivity.latenciesKept + 300)
        #expect(tally.percentile(0) == .milliseconds(300), "the oldest latencies were overwritten")
    }

    @Test func unknownToolsAreNotTallied() {
        let activity = OperatorActivity(forwardingTo: AuditTrail())
        for index in 0..<50 { activity.record(Self.record("made-up-\(index)", outcome: "unknown_tool", milliseconds: 1, connector: nil)) }
        #expect(activity.snapshot.tools.isEmpty)
        #expect(activity.snapshot.recent.count == 50)
    }
}

@Suite("Console settings")
struct ConsoleSettingsTests {
    static func settings(_ values: [AbsoluteConfigKey: ConfigValue]) throws -> GatewaySettings {
        try GatewaySettings(reader: ConfigReader(provider: InMemoryProvider(values: values)))
    }

    @Test func offWithoutAnAdminGroup() throws {
        #expect(try Self.settings(["gatehouse.public.url": "https://mcp.example.com"]).console == nil)
    }

    @Test func anAdminGroupNeedsAPublicURLAndASignIn() throws {
        #expect(throws: GatewaySettings.Invalid.self) { try Self.settings(["gatehouse.admin.group": "ops"]) }
        #expect(throws: GatewaySettings.Invalid.self) {
            try Self.settings(["gatehouse.admin.group": "ops", "gatehouse.public.url": "https://mcp.example.com"])
        }
        #expect(throws: GatewaySettings.Invalid.self) {
            try Self.settings([
                "gatehouse.admin.group": "ops", "gatehouse.public.url": "https://mcp.example.com",
                "gatehouse.admin.signin.issuer": "http://login.example.com", "gatehouse.admin.signin.client.id": "console",
                "gatehouse.admin.signin.client.secret": "s",
            ])
        }
    }

    @Test func anExternalIssuersConsoleSignsInWhereItIsTold() throws {
        let console = try #require(try Self.settings([
            "gatehouse.admin.group": "ops", "gatehouse.public.url": "https://mcp.example.com",
            "gatehouse.admin.signin.issuer": "https://login.example.com", "gatehouse.admin.signin.client.id": "console",
            "gatehouse.admin.signin.client.secret": "s", "gatehouse.session.secret": "a-session-secret",
        ]).console)
        #expect(console.signIn.issuer == "https://login.example.com")
        #expect(console.signIn.redirectURI == "https://mcp.example.com/admin/signed-in")
        #expect(console.adminGroup == "ops" && console.groupClaim == "groups")
        #expect(console.sessionLifetime == 3600)
        #expect(console.cookieSecret == Array("a-session-secret".utf8))
    }

    @Test func builtInModeSignsInAtItsIdentityProvider() throws {
        let console = try #require(try Self.settings([
            "gatehouse.auth": "builtin", "gatehouse.public.url": "https://mcp.example.com", "gatehouse.admin.group": "ops",
            "gatehouse.admin.group.claim": "roles", "gatehouse.auth.upstream.issuer": "https://login.example.com",
            "gatehouse.auth.upstream.client.id": "gatehouse", "gatehouse.auth.upstream.client.secret": "idp-secret",
            "gatehouse.auth.store.secret": "a-store-secret-that-is-long-enough-1234567",
        ]).console)
        #expect(console.signIn.issuer == "https://login.example.com" && console.signIn.clientID == "gatehouse")
        #expect(console.signIn.redirectURI == "https://mcp.example.com/admin/signed-in")
        #expect(console.groupClaim == "roles")
        #expect(console.cookieSecret != nil)
    }
}
