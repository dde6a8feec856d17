import Foundation
import GatehouseJSON
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MCPProtocol
import GatehouseTesting
import Testing
import Upstream

@testable import Gateway

@Suite("Operational endpoints")
struct OperationsRouteTests {
    @Test func metricsCountRequestsCallsAndUpstreamTime() async throws {
        try await withGateway(["demo.yaml": demoConnector]) { client, gateway in
            for _ in 0..<2 {
                let response = try await client.execute(
                    uri: "/mcp", method: .post, headers: mcpHeaders(method: "tools/call", name: "get_item"),
                    body: modernRequest(method: "tools/call", params: ["name": "get_item", "arguments": ["id": "1"]]))
                #expect(response.status == .ok)
            }
            _ = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "tools/call", name: "get_item"),
                body: modernRequest(method: "tools/call", params: ["name": "get_item", "arguments": ["id": 5]]))
            _ = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "tools/list"), body: modernRequest(method: "tools/list"))
            _ = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "made/up"), body: modernRequest(method: "made/up"))
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = String(buffer: response.body)
            let lines = Set(text.split(separator: "\n").map(String.init))
            #expect(lines.contains(#"gatehouse_tool_calls_total{tool="get_item",connector="demo",outcome="ok"} 2"#), "\(text)")
            #expect(lines.contains(#"gatehouse_tool_calls_total{tool="get_item",connector="demo",outcome="invalid_arguments"} 1"#))
            #expect(lines.contains(#"gatehouse_mcp_requests_total{method="tools/call",status="200"} 3"#))
            #expect(lines.contains(#"gatehouse_mcp_requests_total{method="tools/list",status="200"} 1"#))
            #expect(lines.contains { $0.hasPrefix(#"gatehouse_mcp_requests_total{method="other","#) }, "unknown methods share one series")
            #expect(lines.contains(#"gatehouse_upstream_duration_seconds_count{connector="demo"} 2"#))
            #expect(lines.contains(#"gatehouse_reloads_total{outcome="success"} 1"#))
            #expect(lines.contains("gatehouse_tools_loaded 2.0"))
        }
    }

    @Test func readinessFollowsTheCatalogAndShutdown() async throws {
        try await withGateway(["demo.yaml": demoConnector], reload: false) { client, gateway in
            var response = try await client.execute(uri: "/readyz", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(try response.json()["problems"] == ["connector catalog not loaded yet"])
            try gateway.reload()
            response = try await client.execute(uri: "/readyz", method: .get)
            #expect(response.status == .ok)
            #expect(try response.json() == ["status": "ready"])
            gateway.readiness.markDraining()
            response = try await client.execute(uri: "/readyz", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(try response.json()["problems"] == ["shutting down"])
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok, "alive while draining")
        }
    }

    @Test func requestIDsAreEchoedAndPassedOn() async throws {
        let upstream = ScriptedUpstream()
        try await withGateway(["demo.yaml": demoConnector], upstream: upstream) { client, gateway in
            let response = try await client.execute(
                uri: "/mcp", method: .post,
                headers: mcpHeaders(method: "tools/call", name: "get_item", extra: [("X-Request-Id", "abc-123")]),
                body: modernRequest(method: "tools/call", params: ["name": "get_item", "arguments": ["id": "1"]]))
            #expect(response.headers[HTTPField.Name("X-Request-Id")!] == "abc-123")
            let generated = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "tools/list"), body: modernRequest(method: "tools/list"))
            #expect(generated.headers[HTTPField.Name("X-Request-Id")!]?.count == 32)
        }
        #expect(upstream.requests.first?.header("X-Request-Id") == "abc-123")
        #expect(upstream.requests.first?.header("traceparent")?.hasPrefix("00-") == true)
    }
}

@Suite("Audit trail")
struct AuditTrailTests {
    @Test func oneRecordPerCallWithArgumentNamesOnly() async throws {
        let audit = AuditTrail()
        try await withGateway(["demo.yaml": demoConnector], audit: audit) { client, _ in
            _ = try await client.execute(
                uri: "/mcp", method: .post,
                headers: mcpHeaders(method: "tools/call", name: "get_item", extra: [("X-Request-Id", "audit-1")]),
                body: modernRequest(method: "tools/call", params: ["name": "get_item", "arguments": ["id": "7", "limit": 2]]))
            _ = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "tools/call", name: "nope"),
                body: modernRequest(method: "tools/call", params: ["name": "nope", "arguments": [:]]))
        }
        let records = audit.all
        #expect(records.count == 2)
        let call = try #require(records.first)
        #expect(call.tool == "get_item" && call.connector == "demo" && call.subject == "anonymous")
        #expect(call.argumentKeys == ["id", "limit"])
        #expect(call.arguments == nil, "values are left out unless configured")
        #expect(call.outcome == "ok" && call.upstreamStatus == 200 && call.attempts == 1)
        #expect(call.requestID == "audit-1" && call.traceID?.count == 32)
        #expect(call.responseBytes == #"{"id":"42","name":"Widget","secret":"not selected"}"#.utf8.count)
        #expect(records.last?.outcome == "unknown_tool")
    }

    @Test func valuesWhenTheOperatorAsks() async throws {
        let audit = AuditTrail()
        try await withGateway(["demo.yaml": demoConnector], audit: audit, configure: { $0.auditArgumentValues = true }) { client, _ in
            _ = try await client.execute(
                uri: "/mcp", method: .post, headers: mcpHeaders(method: "tools/call", name: "get_item"),
                body: modernRequest(method: "tools/call", params: ["name": "get_item", "arguments": ["id": "7"]]))
        }
        #expect(audit.all.first?.arguments == ["id": "7"])
    }

    @Test func jsonAuditLineParses() throws {
        var descriptors: [Int32] = [0, 0]
        #expect(pipe(&descriptors) == 0)
        defer { close(descriptors[0]) }
        JSONAuditSink(fileDescriptor: descriptors[1]).record(AuditRecord(
            tool: "get_item", connector: "demo", subject: "user \"1\"", argumentKeys: ["id"], arguments: nil, outcome: "ok",
            upstreamStatus: 200, latency: .microseconds(1500), upstreamDuration: .microseconds(900), responseBytes: 93,
            attempts: 2, era: "2026-07-28", requestID: "r-1", traceID: "0af7651916cd43dd8448eb211c80319c"))
        close(descriptors[1])
        let line = FileHandle(fileDescriptor: descriptors[0]).readDataToEndOfFile()
        let value = try JSONParser.parse(Array(line.dropLast()))
        #expect(value["logger"] == "gatehouse.audit" && value["msg"] == "tool call" && value["level"] == "info")
        #expect(value["subject"] == "user \"1\"")
        #expect(value["argument_keys"] == ["id"])
        #expect(value["latency_ms"] == "1.5" && value["upstream_ms"] == "0.9" && value["bytes"] == "93")
        #expect(value["attempts"] == "2" && value["request_id"] == "r-1")
        #expect(value["arguments"] == nil)
    }
}

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    @Test func eachLineIsOneJSONObject() throws {
        var descriptors: [Int32] = [0, 0]
        #expect(pipe(&descriptors) == 0)
        defer { close(descriptors[0]) }
        var handler = JSONLogHandler(label: "gatehouse.test", fileDescriptor: descriptors[1])
        handler.logLevel = .info
        handler[metadataKey: "replica"] = "a"
        let logger = Logger(label: "gatehouse.test") { _ in handler }
        logger.info("tool call", metadata: ["tool": "get_item", "keys": .array(["id", "limit"]), "quote": "say \"hi\"\n"])
        logger.debug("not shown")
        logger.warning("second")
        close(descriptors[1])
        let output = FileHandle(fileDescriptor: descriptors[0]).readDataToEndOfFile()
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        let first = try JSONParser.parse(Array(lines[0].utf8))
        #expect(first["msg"] == "tool call")
        #expect(first["level"] == "info")
        #expect(first["logger"] == "gatehouse.test")
        #expect(first["tool"] == "get_item")
        #expect(first["keys"] == ["id", "limit"])
        #expect(first["quote"] == "say \"hi\"\n")
        #expect(first["replica"] == "a")
        let timestamp = try #require(first["ts"]?.stringValue)
        #expect(timestamp.count == 24 && timestamp.hasSuffix("Z"))
        #expect(try JSONParser.parse(Array(lines[1].utf8))["level"] == "warning")
    }
}
