import Caller
import Catalog
import ConnectorModel
import Foundation
import GatehouseJSON
import Gateway
import MCPProtocol
import Upstream

/// An audit sink that keeps nothing: the call's own cost, not the log's.
struct DiscardingAuditSink: AuditSink {
    func record(_ record: AuditRecord) {}
}

/// What a reload adds per tool (its fingerprint), and a whole tool call
/// through the catalogue's provider for a tool without `confirm`.
enum CatalogBenchmarks {
    static func folder(tools count: Int) -> String {
        var text = "connector: big\nbase_url: https://big.example.test/api\nheaders: { X-Tenant: acme }\ntools:\n"
        for index in 0..<count {
            text += """
                  - name: tool_\(index)
                    title: Tool \(index)
                    description: Tool number \(index) finds things by id and query, with paging.
                    path: /things/{id}/\(index)
                    parameters:
                      id: { type: integer, required: true, description: The thing }
                      q: { type: string, max_length: 200 }
                      limit: { type: integer, minimum: 1, maximum: 100, default: 20 }
                    scopes: [things:read]

                """
        }
        return text
    }

    /// One `get_order` tool with a static bearer token over an upstream
    /// that answers at once, audited to nowhere.
    static func orderProvider() -> CatalogToolProvider {
        let connector = CredentialBenchmarks.connector("bearer: service-token")
        let store = CatalogStore(Catalog(tools: [CatalogTool(definition: connector.tools[0], target: connector.target)]))
        return CatalogToolProvider(
            store: store, invoker: ToolInvoker(client: InstantUpstream()), metrics: GatewayMetrics(),
            audit: AuditLog(sink: DiscardingAuditSink(), argumentValues: false))
    }

    static let aliceContext = CallContext(era: .modern, protocolVersion: "2026-07-28", caller: CallerIdentity(subject: "alice"))

    static func run(iterations: Int) async throws -> [Measurement] {
        let loaded = CatalogLoader().assemble([(file: "big.yaml", text: folder(tools: 1000))]).catalog
        guard loaded.tools.count == 1000 else { fatalError("benchmark catalogue has \(loaded.tools.count) tools") }
        let provider = orderProvider()
        let context = aliceContext
        return [
            measure("fingerprints of 1,000 tools (per reload)", iterations: max(1, iterations / 500)) {
                for tool in loaded.tools { blackHole(ToolFacts(definition: tool.definition, target: tool.target).fingerprint) }
            },
            await measureAsync("tool call through the catalogue (no confirm, instant upstream)", iterations: iterations) {
                blackHole(await provider.callTool(named: "get_order", arguments: ["id": 7], context: context))
            },
        ]
    }
}
