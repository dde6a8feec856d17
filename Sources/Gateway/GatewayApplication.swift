import AsyncHTTPClient
import Catalog
import ConnectorModel
import Foundation
import GatehouseJSON
import HTTPTypes
import Hummingbird
import Logging
import MCPProtocol
import Synchronization
import Upstream

/// The running gateway: its catalog, its MCP endpoint and its HTTP routes.
public struct Gateway: Sendable {
    public let settings: GatewaySettings
    public let store: CatalogStore
    public let server: MCPServer
    public let loader: CatalogLoader
    public let logger: Logger
    let report: LoadReportBox

    public static let version = "0.1.0"

    public init(settings: GatewaySettings, upstream: any UpstreamClient, loader: CatalogLoader = CatalogLoader(), logger: Logger) {
        self.settings = settings
        self.loader = loader
        self.logger = logger
        self.store = CatalogStore()
        self.report = LoadReportBox()
        var origins = settings.allowedOrigins
        if let origin = settings.publicOrigin { origins.append(origin) }
        let signer: SessionSigner
        if let secret = settings.sessionSecret {
            signer = SessionSigner(secret: Array(secret.utf8))
        } else {
            signer = .random()
        }
        let configuration = MCPServerConfiguration(
            serverVersion: Self.version, pageSize: settings.pageSize, listTTLMilliseconds: settings.listTTLMilliseconds,
            originPolicy: OriginPolicy(allowed: origins), sessionSigner: signer)
        let invoker = ToolInvoker(client: upstream, builder: RequestBuilder(userAgent: "gatehouse/\(Self.version)"))
        let provider = CatalogToolProvider(store: store, invoker: invoker, logger: logger)
        self.server = MCPServer(configuration: configuration, tools: provider)
    }

    /// Loads the connector folder and serves what is valid. Files with
    /// problems are skipped and reported (log and `/status`).
    @discardableResult
    public func reload() throws -> CatalogLoader.Result {
        let generation = store.catalog.generation + 1
        let result = try loader.load(directory: settings.connectorsPath, generation: generation)
        store.replace(with: result.catalog)
        report.set(LoadReport(files: result.files, diagnostics: result.diagnostics, loadedAt: Date()))
        for diagnostic in result.diagnostics {
            logger.error("connector file problem: \(diagnostic)")
        }
        logger.info(
            "catalog loaded",
            metadata: [
                "connectors": .stringConvertible(result.catalog.connectors.count),
                "tools": .stringConvertible(result.catalog.tools.count),
                "problems": .stringConvertible(result.diagnostics.count),
            ])
        return result
    }

    /// The HTTP routes: `/mcp` and the operational endpoints.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        let server = self.server
        let maxBody = settings.maxBodyBytes
        router.post("/mcp") { request, _ -> Response in
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: maxBody)
            } catch {
                return Response(
                    status: .contentTooLarge, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(bytes: JSONRPCEncoder.error(
                        id: nil, error: JSONRPCError(code: JSONRPCError.invalidRequest, message: "Request body larger than \(maxBody) bytes")))))
            }
            let bytes = Array(buffer.readableBytesView)
            return Response(await server.handlePost(headers: request.headers, body: bytes))
        }
        router.get("/mcp") { request, _ -> Response in
            Response(server.handleGet(headers: request.headers))
        }
        router.delete("/mcp") { request, _ -> Response in
            Response(server.handleDelete(headers: request.headers))
        }
        router.get("/healthz") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{\"status\":\"ok\"}")))
        }
        let store = self.store
        let report = self.report
        router.get("/status") { _, _ -> Response in
            let json = Self.status(catalog: store.catalog, report: report.get())
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json.jsonBytes)))
        }
        return router
    }

    static func status(catalog: Catalog, report: LoadReport?) -> JSONValue {
        var object: JSONObject = [
            "version": .string(version),
            "tools": .int(Int64(catalog.tools.count)),
            "connectors": .array(catalog.connectors.map {
                ["name": .string($0.name), "file": .string($0.file), "tools": .int(Int64($0.toolCount))]
            }),
        ]
        if let report {
            object["loaded_at"] = .string(ISO8601DateFormatter().string(from: report.loadedAt))
            object["problems"] = .array(report.diagnostics.map { .string($0.description) })
        }
        return .object(object)
    }

    public func application() -> some ApplicationProtocol {
        Application(
            router: router(),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
            logger: logger)
    }
}

struct LoadReport: Sendable {
    var files: [String]
    var diagnostics: [Diagnostic]
    var loadedAt: Date
}

final class LoadReportBox: Sendable {
    private let value = Mutex<LoadReport?>(nil)
    func set(_ report: LoadReport) { value.withLock { $0 = report } }
    func get() -> LoadReport? { value.withLock { $0 } }
}

extension Response {
    init(_ response: MCPHTTPResponse) {
        self.init(
            status: response.status, headers: response.headerFields,
            body: response.body.isEmpty ? .init() : .init(byteBuffer: ByteBuffer(bytes: response.body)))
    }
}
