import Caller
import Catalog
import ConnectorModel
import Foundation
import GatehouseJSON
import Gateway
import MCPProtocol
import Upstream

/// Long and paged answers through the catalogue's provider, as a client's
/// call goes: a 1 MiB answer shaped to 20 KiB, cut at 20 KiB with a link
/// to the rest, the next part read back, and three pages gathered into one
/// result; time per call and the peak memory one call needs.
enum AnswerBenchmarks {
    static let connector = """
        connector: long
        base_url: https://long.example.test/api
        tools:
          - name: shaped_report
            description: A 1 MiB report shaped down.
            path: /report
            response: { select: items, where: { status: open }, fields: [id, title], max_bytes: 20KB }
          - name: whole_report
            description: A 1 MiB report, cut at 20 KiB.
            path: /report
            response: { max_bytes: 20KB }
          - name: gathered
            description: Three pages in one call.
            path: /pages
            pagination: { style: cursor, items: items, next: next, param: after, size_param: limit, size: 100, max_pages: 3 }
            response: { fields: [id, title, status] }
        """

    /// An upstream answering at once: the 1 MiB report, or the pages of a
    /// cursor-paged list (three of about 40 KiB).
    struct Upstream: UpstreamClient {
        let report: UpstreamResponse
        let pages: [UpstreamResponse]

        func send(_ request: UpstreamRequest) async throws(UpstreamFailure) -> UpstreamResponse {
            guard request.url.contains("/pages") else { return report }
            if request.url.contains("after=2") { return pages[2] }
            if request.url.contains("after=1") { return pages[1] }
            return pages[0]
        }
    }

    static func report(bytes: Int) -> [UInt8] {
        var items: [String] = []
        var size = 12
        var index = 0
        while size < bytes {
            let item = #"{"id":\#(index),"title":"Item \#(index) of the long report","status":"\#(index % 50 == 0 ? "open" : "closed")","body":"\#(String(repeating: "lorem ipsum ", count: 20))"}"#
            items.append(item)
            size += item.utf8.count + 1
            index += 1
        }
        return Array(#"{"items":[\#(items.joined(separator: ","))]}"#.utf8)
    }

    static func page(_ number: Int) -> UpstreamResponse {
        let items = (0..<100).map { n in
            #"{"id":\#(number * 100 + n),"title":"Row \#(n) of page \#(number)","status":"open","body":"\#(String(repeating: "lorem ipsum ", count: 25))"}"#
        }
        let next = number < 2 ? #""\#(number + 1)""# : "null"
        return UpstreamResponse(status: 200, contentType: "application/json", body: Array(#"{"items":[\#(items.joined(separator: ","))],"next":\#(next)}"#.utf8))
    }

    static func run(iterations: Int) async throws -> [Measurement] {
        let decoded = ConnectorDecoder().decode(yaml: connector, file: "long.yaml")
        guard let connector = decoded.connector else { fatalError("benchmark connector is invalid: \(decoded.diagnostics)") }
        let report = UpstreamResponse(status: 200, contentType: "application/json", body: report(bytes: 1 << 20))
        let upstream = Upstream(report: report, pages: (0..<3).map(page))
        let provider = CatalogToolProvider(
            store: CatalogStore(Catalog(tools: connector.tools.map { CatalogTool(definition: $0, target: connector.target) })),
            invoker: ToolInvoker(client: upstream), metrics: GatewayMetrics(), audit: AuditLog(sink: DiscardingAuditSink(), argumentValues: false))
        let context = CallContext(era: .modern, protocolVersion: "2026-07-28", caller: CallerIdentity(subject: "alice"))

        // The link of a cut answer, to read its next part in the loop.
        guard case .result(let cut) = await provider.callTool(named: "whole_report", arguments: [:], context: context),
            let link = cut["content"]?.arrayValue?.last?["uri"]?.stringValue,
            case .result(let gathered) = await provider.callTool(named: "gathered", arguments: [:], context: context),
            gathered["structuredContent"]?["items"]?.arrayValue?.count == 300,
            case .contents(let part) = await provider.readResource(link, context: context),
            part.first?["text"]?.stringValue?.utf8.count ?? 0 > 20_000
        else { fatalError("the long-answer benchmark tools do not answer as expected") }

        let calls = max(1, iterations / 50)
        return [
            await measureAsync("1 MiB answer shaped to 20 KiB (select, where, fields)", iterations: calls) {
                blackHole(await provider.callTool(named: "shaped_report", arguments: [:], context: context))
            },
            await measureAsync("1 MiB answer cut at 20 KiB with a link to the rest", iterations: calls) {
                blackHole(await provider.callTool(named: "whole_report", arguments: [:], context: context))
            },
            await measureAsync("next 20 KiB part of that answer, read back", iterations: calls * 10) {
                blackHole(await provider.readResource(link, context: context))
            },
            await measureAsync("three pages gathered into one result (3 × \(upstream.pages[0].body.count / 1024) KiB)", iterations: calls) {
                blackHole(await provider.callTool(named: "gathered", arguments: [:], context: context))
            },
            await PeakMemory.measurement("memory: one 1 MiB answer shaped to 20 KiB") {
                blackHole(await provider.callTool(named: "shaped_report", arguments: [:], context: context))
            },
            await PeakMemory.measurement("memory: one 1 MiB answer cut with a link") {
                blackHole(await provider.callTool(named: "whole_report", arguments: [:], context: context))
            },
            await PeakMemory.measurement("memory: one three-page gather") {
                blackHole(await provider.callTool(named: "gathered", arguments: [:], context: context))
            },
        ]
    }
}
