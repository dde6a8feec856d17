import Gateway
import Hummingbird
import HummingbirdTesting
import Logging

/// Runs `test` against a gateway built the way `gatehouse serve` builds one
/// (through ``GatewayApp``), serving `files` from a temporary connector
/// folder and calling `upstream` instead of the network.
///
/// The settings start from the defaults with a fixed session secret (so
/// replicas built by two calls accept each other's sessions) and a
/// recognisable list TTL; `configure` changes what a test is about.
@discardableResult
public func withGateway<Value: Sendable>(
    _ files: [String: String], upstream: ScriptedUpstream = ScriptedUpstream(), audit: any AuditSink = AuditTrail(),
    reload: Bool = true, configure: (inout GatewaySettings) -> Void = { _ in },
    _ test: @escaping @Sendable (any TestClientProtocol, Gateway) async throws -> Value
) async throws -> Value {
    let folder = try TemporaryFolder(files)
    let gateway = try makeTestGateway(folder: folder.path, upstream: upstream, audit: audit, reload: reload, configure: configure)
    // The folder outlives the test: it is removed when this function returns.
    defer { withExtendedLifetime(folder) {} }
    return try await Application(router: gateway.router()).test(.router) { client in try await test(client, gateway) }
}

/// A gateway over an existing folder, for tests that change the folder or
/// build several replicas over one.
public func makeTestGateway(
    folder: String, upstream: ScriptedUpstream = ScriptedUpstream(), audit: any AuditSink = AuditTrail(), reload: Bool = true,
    configure: (inout GatewaySettings) -> Void = { _ in }
) throws -> Gateway {
    var settings = GatewaySettings()
    settings.connectorsPath = folder
    settings.sessionSecret = "gateway-test-secret"
    settings.listTTLMilliseconds = 1234
    configure(&settings)
    let gateway = GatewayApp(settings: settings, logger: Logger(label: "gatehouse.tests"), upstream: upstream, audit: audit).makeGateway()
    if reload { try gateway.reload() }
    return gateway
}
