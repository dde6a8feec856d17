import ConnectorModel
import ConnectorTesting
import Foundation
import GatehouseJSON
import GatehouseTesting
import Testing
import Upstream

/// The runner against real connector files in a temporary folder and the
/// real invoker; only the API is replayed.
@Suite struct ConnectorTestRunnerTests {
    static let connector = """
        connector: shop
        base_url: https://shop.example/api
        auth:
          api_key: { header: X-Api-Key, value: "${env:SHOP_KEY}" }
        tools:
          - name: get_item
            description: One item.
            path: /items/{id}
            parameters:
              id: { type: integer }
              fields: { type: string }
            response:
              fields: [id, name]
          - name: add_item
            description: Add an item.
            method: POST
            path: /items
            scopes: [shop.write]
            parameters:
              name: { type: string, required: true }
        """

    func run(_ tests: String, files: [String: String] = [:]) async throws -> (SuiteReport, TemporaryFolder) {
        let folder = try TemporaryFolder(["shop.yaml": Self.connector])
        try FileManager.default.createDirectory(atPath: folder.path + "/tests", withIntermediateDirectories: true)
        try folder.write("tests/shop.yaml", tests)
        for (name, text) in files {
            try FileManager.default.createDirectory(
                atPath: (folder.path + "/" + name as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try folder.write(name, text)
        }
        let file = folder.path + "/tests/shop.yaml"
        #expect(ConnectorTestRunner.testFiles(forConnectors: folder.path) == [file])
        let suite = try #require(ConnectorTestDecoder().decode(yaml: tests, file: file).suite)
        return (await ConnectorTestRunner(connectors: folder.path).run(suite), folder)
    }

    @Test func aCaseThatHoldsPasses() async throws {
        let (report, _) = try await run("""
            secrets: { "env:SHOP_KEY": k-1 }
            cases:
              - name: item seven
                tool: get_item
                arguments: { id: 7, fields: "a b" }
                expect_request:
                  method: GET
                  url: https://shop.example/api/items/7
                  query: { fields: a b }
                  headers: { X-Api-Key: k-1, Cookie: null }
                answer:
                  body: { id: 7, name: lamp, cost: 3 }
                expect_result:
                  error: false
                  text: '{"id":7,"name":"lamp"}'
            """)
        #expect(report.connectorProblems.isEmpty)
        #expect(report.cases.map(\.passed) == [true], "\(report.cases.flatMap { $0.lines })")
        #expect(report.passed)
        #expect(report.cases[0].lines == ["PASS item seven"])
    }

    @Test func eachDifferenceIsReported() async throws {
        let (report, _) = try await run("""
            cases:
              - name: wrong in every way
                tool: add_item
                caller: { sub: u, scopes: [shop.write] }
                arguments: { name: lamp }
                expect_request:
                  method: PUT
                  url: https://shop.example/api/things
                  query: { dry_run: true }
                  headers: { X-Api-Key: real, X-Missing: "1" }
                  body: { name: lamp, colour: red }
                answer: { status: 500, body: { error: down } }
                expect_result: { error: false, text_contains: created }
            """)
        let testCase = try #require(report.cases.first)
        #expect(!testCase.passed)
        let what = testCase.mismatches.map(\.what)
        #expect(what == ["method", "url", "query", "header X-Api-Key", "header X-Missing", "body", "result", "text"], "\(what)")
        // The secret nobody gave reads as a stand-in, never the process's own.
        #expect(testCase.mismatches[3].actual == "\"unresolved\"")
        let lines = testCase.lines
        #expect(lines[0].hasPrefix("FAIL wrong in every way (") && lines[0].hasSuffix("tests/shop.yaml:2:5)"), "\(lines)")
        #expect(lines.contains { $0.contains("- ") && $0.contains("\"colour\": \"red\"") }, "\(lines)")
        #expect(lines.contains("  method: expected PUT, got POST"), "\(lines)")
    }

    @Test func aCallThatMustNotReachTheAPI() async throws {
        let (report, _) = try await run("""
            cases:
              - name: no name
                tool: add_item
                arguments: {}
                expect_request: none
                expect_result: { error: true, text_contains: name }
              - name: it did reach it
                tool: get_item
                arguments: { id: 1 }
                expect_request: none
                answer: { body: {} }
            """)
        #expect(report.cases[0].passed, "\(report.cases[0].lines)")
        #expect(report.cases[1].mismatches.map(\.what) == ["request"])
        #expect(report.cases[1].mismatches[0].actual == "GET https://shop.example/api/items/1")
    }

    @Test func aScopeTheCallerLacksIsRefused() async throws {
        let (report, _) = try await run("""
            cases:
              - name: reader cannot add
                tool: add_item
                caller: { sub: u, scopes: [shop.read] }
                arguments: { name: lamp }
                expect_request: none
                expect_result: { error: true, text_contains: shop.write }
            """)
        #expect(report.passed, "\(report.cases.flatMap { $0.lines })")
    }

    @Test func withoutAnAnswerTheFixtureIsReplayedOrTheCaseSaysWhatIsMissing() async throws {
        let fixture = """
            { "request": {}, "answer": { "status": 200, "content_type": "application/json", "body": { "id": 3, "name": "desk" } } }
            """
        let (report, _) = try await run("""
            cases:
              - name: From the Fixture!
                tool: get_item
                arguments: { id: 3 }
                expect_result: { text: '{"id":3,"name":"desk"}' }
              - name: nothing to replay
                tool: get_item
                arguments: { id: 4 }
                expect_result: { error: false }
            """, files: ["tests/fixtures/shop/from-the-fixture.json": fixture])
        #expect(report.cases[0].passed, "\(report.cases[0].lines)")
        #expect(report.cases[1].problem?.contains("--record") == true)
    }

    @Test func anUnknownToolIsAProblemOfTheCase() async throws {
        let (report, _) = try await run("""
            cases: [{ name: x, tool: nope, expect_result: { error: false } }]
            """)
        #expect(report.cases[0].problem == "no tool named 'nope' in \(report.file.replacingOccurrences(of: "/tests/shop.yaml", with: ""))")
    }

    @Test func fixtureNamesAreSafeFileNames() {
        #expect(ConnectorTestRunner.fixturePath(testFile: "c/tests/shop.yaml", caseName: "Stock for ABC/12 — now!")
            == "c/tests/fixtures/shop/stock-for-abc-12-now.json")
        #expect(ConnectorTestRunner.fixturePath(testFile: "shop.yml", caseName: "../..") == "./fixtures/shop/case.json")
    }
}
