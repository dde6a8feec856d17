import ConnectorModel
import ConnectorTesting
import Foundation
import GatehouseJSON
import GatehouseTesting
import Testing
import Upstream

/// `--record`: one live call per case, written with its secrets replaced.
@Suite struct RecordingTests {
    @Test func theFixtureHoldsTheAnswerAndNoSecret() async throws {
        let variable = "GATEHOUSE_RECORD_TEST_KEY_\(UInt32.random(in: 0...UInt32.max))"
        setenv(variable, "live-secret-123", 1)
        defer { unsetenv(variable) }
        let folder = try TemporaryFolder([
            "shop.yaml": """
                connector: shop
                base_url: https://shop.example/api
                auth:
                  api_key: { header: X-Api-Key, value: "${env:\(variable)}" }
                tools:
                  - name: get_item
                    description: One item.
                    path: /items/{id}
                    parameters:
                      id: { type: integer }
                    headers:
                      X-Tenant: acme
                      X-Plain: visible
                """,
        ])
        try FileManager.default.createDirectory(atPath: folder.path + "/tests", withIntermediateDirectories: true)
        let tests = """
            secrets: { "env:\(variable)": stand-in }
            cases:
              - name: item one
                tool: get_item
                arguments: { id: 1 }
                expect_request: { headers: { X-Api-Key: stand-in } }
                expect_result: { text_contains: '[REDACTED]' }
              - name: kept inline
                tool: get_item
                arguments: { id: 2 }
                answer: { body: { id: 2 } }
                expect_result: { error: false }
            """
        try folder.write("tests/shop.yaml", tests)
        let file = folder.path + "/tests/shop.yaml"
        let suite = try #require(ConnectorTestDecoder().decode(yaml: tests, file: file).suite)
        // The live API echoes the key it was sent, as a careless one might.
        let live = ScriptedUpstream([.respond(.json(#"{"id":1,"echo":"live-secret-123"}"#))])
        let recording = ConnectorTestRunner.Recording(client: live, scrubHeaders: ["x-tenant"])
        let report = await ConnectorTestRunner(connectors: folder.path).run(suite, recording: recording)

        #expect(live.requests.count == 1, "only the case without an inline answer calls the live API")
        #expect(live.requests.first?.header("X-Api-Key") == "live-secret-123")
        let path = ConnectorTestRunner.fixturePath(testFile: file, caseName: "item one")
        #expect(report.recorded == ["item one: recorded \(path) (HTTP 200)"])
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!written.contains("live-secret-123"))
        let fixture = try JSONParser.parse(written)
        #expect(fixture["answer"]?["body"] == ["id": 1, "echo": "[REDACTED]"])
        #expect(fixture["request"]?["headers"]?["X-Api-Key"] == "[scrubbed]")
        #expect(fixture["request"]?["headers"]?["X-Tenant"] == "[scrubbed]")
        #expect(fixture["request"]?["headers"]?["X-Plain"] == "visible")
        #expect(fixture["request"]?["url"] == "https://shop.example/api/items/1")
        // Then the cases run offline, on the fixture, with the stand-in.
        #expect(report.passed, "\(report.cases.flatMap { $0.lines })")
    }
}
