import Caller
import Catalog
import ConnectorModel
import Foundation
import GatehouseJSON
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import MCPProtocol
import Upstream
import OAuth

extension Gateway {
    /// The HTTP routes: `/mcp` and the operational endpoints.
    public func router() -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        let server = self.server
        let maxBody = settings.maxBodyBytes
        let metrics = self.metrics
        let guardian = EndpointGuard(server: server, resourceServer: resourceServer, metrics: metrics, logger: logger)
        router.post("/mcp") { request, _ -> Response in
            let trace = RequestTrace(request.headers)
            return await RequestTrace.$current.withValue(trace) {
                var method: String?
                var response: Response
                switch await guardian.admit(request) {
                case .refused(let refusal):
                    response = refusal
                case .admitted(let caller):
                    do {
                        let buffer = try await request.body.collect(upTo: maxBody)
                        let answer = await server.handlePost(
                            headers: request.headers, body: Array(buffer.readableBytesView), caller: caller)
                        method = answer.method
                        response = Response(answer)
                    } catch {
                        response = Response(
                            status: .contentTooLarge, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(bytes: JSONRPCEncoder.error(
                                id: nil,
                                error: JSONRPCError(
                                    code: JSONRPCError.invalidRequest, message: "Request body larger than \(maxBody) bytes")))))
                    }
                }
                metrics.request(method: GatewayMetrics.methodLabel(method), status: Int(response.status.code))
                response.headers[.xRequestID] = trace.requestID
                return response
            }
        }
        router.get("/mcp") { request, _ -> Response in
            var response: Response
            if case .refused(let refusal) = await guardian.admit(request) {
                response = refusal
            } else {
                response = Response(server.handleGet(headers: request.headers))
            }
            metrics.request(method: "GET", status: Int(response.status.code))
            return response
        }
        router.delete("/mcp") { request, _ -> Response in
            var response: Response
            if case .refused(let refusal) = await guardian.admit(request) {
                response = refusal
            } else {
                response = Response(server.handleDelete(headers: request.headers))
            }
            metrics.request(method: "DELETE", status: Int(response.status.code))
            return response
        }
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
                server: authorizationServer, toolScopes: { [store] in store.catalog.scopes },
                placeholderClaims: { [store] in store.catalog.userClaims }, proxies: settings.trustedProxies
            ).add(to: router)
        }
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
            }
            entry["state"] = .string(record.served == nil ? "not served" : record.isServingLastGood ? "serving last good version" : "ok")
            if !record.diagnostics.isEmpty { entry["problems"] = .array(record.diagnostics.map { .string($0.description) }) }
            files.append(.object(entry))
        }
        var object: JSONObject = [
            "version": .string(version),
            "tools": .int(Int64(catalog.tools.count)),
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
            let json = Self.status(catalog: store.catalog, reloads: reloads.snapshot, streams: server.events.subscriberCount)
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
        application(router: router(), host: settings.host, port: settings.port)
    }

    /// The operations listener, when one is configured.
    public func operationsApplication() -> (some ApplicationProtocol)? {
        guard let port = settings.operationsPort else { return nil as Application<RouterResponder<GatewayRequestContext>>? }
        return application(router: operationsRouter(), host: settings.operationsHost ?? settings.host, port: port)
    }

    func application(router: Router<GatewayRequestContext>, host: String, port: Int) -> Application<RouterResponder<GatewayRequestContext>> {
        let limits = settings.connections
        return Application(
            router: router,
            server: .guardedHTTP1(limits: limits),
            configuration: .init(
                address: .hostname(host, port: port), serverName: nil,
                availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections, logger: logger)),
            logger: logger)
    }
}

extension Response {
    init(_ response: MCPHTTPResponse) {
        let body: ResponseBody
        if let stream = response.stream {
            let first = response.body
            body = ResponseBody { writer in
                if !first.isEmpty { try await writer.write(ByteBuffer(bytes: first)) }
                for await chunk in stream where !chunk.isEmpty {
                    try await writer.write(ByteBuffer(bytes: chunk))
                }
                try await writer.finish(nil)
            }
        } else {
            body = response.body.isEmpty ? .init() : .init(byteBuffer: ByteBuffer(bytes: response.body))
        }
        self.init(status: response.status, headers: response.headerFields, body: body)
    }
}

/// Lets a request to `/mcp` in, or answers it: a foreign browser origin gets
/// 403, and with OAuth on, a missing or bad token gets the challenge that
/// sends the client to sign in.
struct EndpointGuard: Sendable {
    let server: MCPServer
    let resourceServer: ResourceServer?
    let metrics: GatewayMetrics
    let logger: Logger

    enum Decision {
        case admitted(CallerIdentity?)
        case refused(Response)
    }

    func admit(_ request: Request) async -> Decision {
        if let refusal = server.checkOrigin(request.headers) { return .refused(Response(refusal)) }
        guard let resourceServer else { return .admitted(nil) }
        do {
            return .admitted(try await resourceServer.authenticate(headers: request.headers, query: request.uri.query))
        } catch {
            metrics.authFailure(reason: error.reason)
            logger.info("request refused", metadata: ["reason": .string(error.reason), "status": .stringConvertible(error.httpStatus)])
            let body = JSONRPCEncoder.error(
                id: nil, error: JSONRPCError(code: JSONRPCError.invalidRequest, message: "Unauthorized: \(error.description)"))
            return .refused(Response(
                status: .init(code: error.httpStatus),
                headers: [.contentType: "application/json", .wwwAuthenticate: resourceServer.challenge(for: error)],
                body: .init(byteBuffer: ByteBuffer(bytes: body))))
        }
    }
}

extension HTTPField.Name {
    static let xRequestID = HTTPField.Name("X-Request-Id")!
    static let traceparent = HTTPField.Name("traceparent")!
    static let tracestate = HTTPField.Name("tracestate")!
}

extension RequestTrace {
    init(_ headers: HTTPFields) {
        self.init(requestIDHeader: headers[.xRequestID], traceparent: headers[.traceparent], tracestate: headers[.tracestate])
    }
}
