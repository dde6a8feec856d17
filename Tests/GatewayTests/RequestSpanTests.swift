import Gateway
import GatehouseJSON
import GatehouseTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InMemoryTracing
import Logging
import MetricsTestKit
import Testing
import Tracing

/// With OpenTelemetry export on, each POST to `/mcp` is a server span
/// named after its method and tool, the upstream attempts are its
/// children, and every metric reaches the exporter's factory too.
@Suite("Request spans and exported metrics")
struct RequestSpanTests {
    /// A gateway over `demoConnector` built with a tracer and a second
    /// metrics factory, as `gatehouse serve` builds one when OTEL_* asks.
    private func withTracedGateway(
        files: [String: String] = ["demo.yaml": demoConnector], upstream: ScriptedUpstream = ScriptedUpstream(), tracer: InMemoryTracer,
        exported: TestMetrics = TestMetrics(), _ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let folder = try TemporaryFolder(files)
        var settings = GatewaySettings()
        settings.connectorsPath = folder.path
        settings.sessionSecret = "gateway-test-secret"
        let app = GatewayApp(
            settings: settings, logger: Logger(label: "gatehouse.tests"), upstream: upstream,
            metrics: GatewayMetrics(exported: exported), tracer: tracer)
        let gateway = app.makeGateway()
        try gateway.reload()
        // The folder outlives the test: it is removed when this function returns.
        defer { withExtendedLifetime(folder) {} }
        try await Application(router: gateway.router()).test(.router) { client in try await test(client) }
    }

    private func callGetItem(
        _ client: any TestClientProtocol, at path: String = "/mcp", extra: [(String, String)] = []
    ) async throws -> TestResponse {
        try await client.execute(
            uri: path, method: .post, headers: mcpHeaders(method: "tools/call", name: "get_item", extra: extra),
            body: modernRequest(method: "tools/call", params: ["name": "get_item", "arguments": ["id": "1"]]))
    }

    @Test func aToolCallIsAServerSpanContinuingTheCallersTraceWithAnUpstreamChild() async throws {
        let tracer = InMemoryTracer()
        let upstream = ScriptedUpstream()
        try await withTracedGateway(upstream: upstream, tracer: tracer) { client in
            let response = try await callGetItem(
                client, extra: [(InMemoryTracer.traceIDKey, "caller-trace"), (InMemoryTracer.spanIDKey, "caller-span"), ("User-Agent", "claude")])
            #expect(response.status == .ok)
        }
        let server = try #require(tracer.finishedSpans.first { $0.kind == .server })
        #expect(server.operationName == "tools/call get_item")
        #expect(server.traceID == "caller-trace")
        #expect(server.parentSpanID == "caller-span")
        #expect(server.attributes.get("mcp.method.name") == .string("tools/call"))
        #expect(server.attributes.get("gen_ai.tool.name") == .string("get_item"))
        #expect(server.attributes.get("gen_ai.operation.name") == .string("execute_tool"))
        #expect(server.attributes.get("gatehouse.connector") == .string("demo"))
        #expect(server.attributes.get("http.request.method") == .string("POST"))
        #expect(server.attributes.get("http.route") == .string("/mcp"))
        #expect(server.attributes.get("http.response.status_code") == .int64(200))
        #expect(server.attributes.get("user_agent.original") == .string("claude"))
        #expect(server.attributes.get("error.type") == nil)
        #expect(server.status == nil)
        let attempt = try #require(tracer.finishedSpans.first { $0.kind == .client })
        #expect(attempt.parentSpanID == server.spanID)
        #expect(attempt.traceID == "caller-trace")
        #expect(attempt.attributes.get("http.response.status_code") == .int64(200))
        #expect(attempt.attributes.get("url.full") == .string("https://api.example.test/v1/items/1"))
        #expect(upstream.requests.first?.header(InMemoryTracer.spanIDKey) == attempt.spanID)
    }

    @Test func anExtraEndpointsRequestsAreSpansOfTheirRouteToo() async throws {
        let tracer = InMemoryTracer()
        let files = ["demo.yaml": demoConnector, "endpoints.yaml": "endpoints:\n  research:\n    read_only: true\n"]
        try await withTracedGateway(files: files, tracer: tracer) { client in
            let response = try await callGetItem(client, at: "/mcp/research", extra: [(InMemoryTracer.traceIDKey, "endpoint-trace"), (InMemoryTracer.spanIDKey, "caller")])
            #expect(response.status == .ok)
            #expect(response.headers[HTTPField.Name("X-Request-Id")!] != nil)
        }
        let server = try #require(tracer.finishedSpans.first { $0.kind == .server })
        #expect(server.operationName == "tools/call get_item")
        #expect(server.traceID == "endpoint-trace")
        #expect(server.attributes.get("http.route") == .string("/mcp/:endpoint"))
        #expect(server.attributes.get("mcp.method.name") == .string("tools/call"))
        #expect(server.attributes.get("http.response.status_code") == .int64(200))
        let attempt = try #require(tracer.finishedSpans.first { $0.kind == .client })
        #expect(attempt.parentSpanID == server.spanID)
    }

    @Test func otherMethodsAreNamedAfterTheMethodAlone() async throws {
        let tracer = InMemoryTracer()
        try await withTracedGateway(tracer: tracer) { client in
            _ = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "tools/list"), body: modernRequest(method: "tools/list"))
        }
        let server = try #require(tracer.finishedSpans.first)
        #expect(tracer.finishedSpans.count == 1, "no upstream call, no child")
        #expect(server.operationName == "tools/list")
        #expect(server.attributes.get("gen_ai.tool.name") == nil)
        #expect(server.traceID != "caller-trace")
    }

    @Test func aFailedToolCallMarksTheSpanWithItsOutcome() async throws {
        let tracer = InMemoryTracer()
        let upstream = ScriptedUpstream(.respond(.json(#"{"error":"nope"}"#, status: 404, reason: "Not Found")))
        try await withTracedGateway(upstream: upstream, tracer: tracer) { client in
            let response = try await callGetItem(client)
            #expect(response.status == .ok)
        }
        let server = try #require(tracer.finishedSpans.first { $0.kind == .server })
        #expect(server.attributes.get("error.type") == .string("upstream_error"))
        #expect(server.status?.code == .error)
        let attempt = try #require(tracer.finishedSpans.first { $0.kind == .client })
        #expect(attempt.attributes.get("error.type") == .string("404"))
    }

    @Test func everyMetricAlsoReachesTheExportedFactory() async throws {
        let exported = TestMetrics()
        try await withTracedGateway(tracer: InMemoryTracer(), exported: exported) { client in
            _ = try await callGetItem(client)
        }
        let calls = try exported.expectCounter("gatehouse_tool_calls_total", [("tool", "get_item"), ("connector", "demo"), ("outcome", "ok")])
        #expect(calls.lastValue == 1)
        let requests = try exported.expectCounter("gatehouse_mcp_requests_total", [("method", "tools/call"), ("status", "200")])
        #expect(requests.lastValue == 1)
        #expect(try exported.expectTimer("gatehouse_upstream_duration_seconds", [("connector", "demo")]).values.count == 1)
        #expect(try exported.expectMeter("gatehouse_tools_loaded").lastValue == 2)
    }
}
