import Catalog
import ConnectorModel
import Foundation
import GatehouseJSON
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import MCPProtocol
import OAuth

extension Gateway {
    /// The HTTP routes: `/mcp` and the operational endpoints.
    public func router() -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        addMCPRoutes(to: router)
        addEndpointRoutes(to: router)
        if let resourceServer {
            // RFC 9728 metadata, without authentication, at the path-inserted
            // location and at the root (clients try both).
            let metadata = { @Sendable (_: Request, _: GatewayRequestContext) -> Response in
                Response(
                    status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=300"],
                    body: .init(byteBuffer: ByteBuffer(bytes: resourceServer.metadata.jsonBytes)))
            }
            router.get("/.well-known/oauth-protected-resource/mcp", use: metadata)
            router.get("/.well-known/oauth-protected-resource", use: metadata)
        }
        if let authorizationServer {
            AuthorizationServerRoutes(
                server: authorizationServer,
                toolScopes: { [store] in
                    // Tools' scopes and those the extra endpoints require.
                    let catalog = store.catalog
                    var scopes = catalog.scopes
                    for endpoint in catalog.endpointDefinitions {
                        for scope in endpoint.scopes where !scopes.contains(scope) { scopes.append(scope) }
                    }
                    return scopes
                },
                placeholderClaims: { [store] in store.catalog.userClaims }, proxies: settings.trustedProxies
            ).add(to: router)
        }
        if let linking { LinkRoutes(linking: linking).add(to: router) }
        if let console { ConsoleRoutes(console: console).add(to: router) }
        addOperationRoutes(to: router, includingStatus: settings.operationsPort == nil)
        return router
    }

    static func status(catalog: Catalog, reloads: ReloadState.Snapshot, streams: Int) -> JSONValue {
        var files: [JSONValue] = []
        for file in reloads.files {
            guard let record = reloads.records[file] else { continue }
            var entry: JSONObject = ["file": .string(file)]
            if let connector = record.served {
                entry["connector"] = .string(connector.name)
                entry["tools"] = .int(Int64(connector.tools.count))
                // The kind only: which credential, never its value.
                if let auth = connector.auth { entry["auth"] = .string(auth.kindName) }
            }
            entry["state"] = .string(record.served == nil ? "not served" : record.isServingLastGood ? "serving last good version" : "ok")
            if !record.diagnostics.isEmpty { entry["problems"] = .array(record.diagnostics.map { .string($0.description) }) }
            files.append(.object(entry))
        }
        var object: JSONObject = [
            "version": .string(version),
            "tools": .int(Int64(catalog.tools.count)),
            "prompts": .array(catalog.prompts.map { .string($0.name) }),
            "resources": .array((catalog.resources + catalog.resourceTemplates).map { .string($0.name) }),
            "generation": .int(Int64(catalog.generation)),
            "connectors": .array(catalog.connectors.map {
                ["name": .string($0.name), "file": .string($0.file), "tools": .int(Int64($0.toolCount))]
            }),
            "files": .array(files),
            "problems": .array(reloads.diagnostics.map { .string($0.description) }),
            "reloads": [
                "succeeded": .int(Int64(reloads.succeeded)),
                "failed": .int(Int64(reloads.failed)),
            ],
            "notification_streams": .int(Int64(streams)),
        ]
        // Each served tool's fingerprint and when the files last changed it;
        // a tool the lock holds back says so, with what the files say now.
        let formatter = ISO8601DateFormatter()
        var held: [String: LockGate.Decision] = [:]
        for decision in reloads.lockDecisions { held[decision.tool] = decision }
        var tools: [JSONValue] = catalog.tools.map { tool in
            var entry: JSONObject = [
                "name": .string(tool.name), "connector": .string(tool.target.connector), "fingerprint": .string(tool.fingerprint),
            ]
            if let date = reloads.changedAt[tool.name] { entry["changed_at"] = .string(formatter.string(from: date)) }
            if let decision = held[tool.name] {
                entry["lock"] = .string(decision.kind.rawValue)
                entry["fingerprint_in_files"] = .string(decision.found)
            }
            return .object(entry)
        }
        for decision in reloads.lockDecisions where decision.kind == .withheld {
            tools.append(["name": .string(decision.tool), "lock": "withheld", "fingerprint_in_files": .string(decision.found)])
        }
        object["tool_fingerprints"] = .array(tools)
        object["lock"] = .string(reloads.locked ? "present" : "absent")
        if !reloads.folderProblems.isEmpty {
            object["folder_problems"] = .array(reloads.folderProblems.map { .string($0.description) })
        }
        object["endpoints"] = .array(catalog.endpointDefinitions.map { endpoint in
            var entry: JSONObject = ["name": .string(endpoint.name), "path": .string(endpoint.path)]
            if !endpoint.scopes.isEmpty { entry["scopes"] = .array(endpoint.scopes.map(JSONValue.string)) }
            if endpoint.readOnly { entry["read_only"] = true }
            entry["tools"] = .array((catalog.endpoints[endpoint.name]?.tools ?? []).map { .string($0.name) })
            return .object(entry)
        })
        if let date = reloads.lastReload { object["last_reload"] = .string(ISO8601DateFormatter().string(from: date)) }
        if let duration = reloads.lastDuration { object["last_reload_ms"] = .double(duration.milliseconds) }
        if let error = reloads.lastError { object["last_reload_error"] = .string(error) }
        return .object(object)
    }

    /// The probes, and unless a separate operations listener serves them,
    /// `/metrics` and `/status`.
    func addOperationRoutes(to router: Router<GatewayRequestContext>, includingStatus: Bool) {
        router.get("/healthz") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{\"status\":\"ok\"}")))
        }
        let readiness = self.readiness
        router.get("/readyz") { _, _ -> Response in
            let problems = readiness.problems
            let body: JSONValue =
                problems.isEmpty ? ["status": "ready"] : ["status": "not ready", "problems": .array(problems.map { .string($0) })]
            return Response(
                status: problems.isEmpty ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: body.jsonBytes)))
        }
        guard includingStatus else { return }
        let metrics = self.metrics
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
        let store = self.store
        let reloads = self.reloads
        let server = self.server
        router.get("/status") { _, _ -> Response in
            let json = Self.status(catalog: store.catalog, reloads: reloads.snapshot, streams: server.events.subscriberCount + endpoints.subscriberCount)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json.jsonBytes)))
        }
    }

    /// The routes of the operations listener: probes, metrics and status.
    public func operationsRouter() -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        addOperationRoutes(to: router, includingStatus: true)
        return router
    }

    /// The HTTP server, ready to run as a service.
    public func application() -> some ApplicationProtocol {
        application(router: router(), host: settings.host, port: settings.port, mcp: mcpPostResponder)
    }

    /// The operations listener, when one is configured.
    public func operationsApplication() -> (some ApplicationProtocol)? {
        guard let port = settings.operationsPort else { return nil as Application<RouterResponder<GatewayRequestContext>>? }
        return application(router: operationsRouter(), host: settings.operationsHost ?? settings.host, port: port, mcp: nil)
    }

    func application(
        router: Router<GatewayRequestContext>, host: String, port: Int, mcp: MCPPostResponder?
    ) -> Application<RouterResponder<GatewayRequestContext>> {
        let limits = settings.connections
        return Application(
            router: router,
            server: .guardedHTTP1(limits: limits, mcp: mcp),
            configuration: .init(
                address: .hostname(host, port: port), serverName: nil,
                availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections, logger: logger)),
            logger: logger)
    }
}
