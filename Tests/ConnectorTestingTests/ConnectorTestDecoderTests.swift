import ConnectorModel
import GatehouseJSON
import Testing

@Suite struct ConnectorTestDecoderTests {
    @Test func readsEveryPartOfACase() throws {
        let yaml = """
            secrets:
              env:TOKEN: t-1
            cases:
              - name: one
                tool: get_item
                arguments: { id: 7, tags: [a] }
                caller: { sub: u-1, email: a@example.com, scopes: [read, write], claims: { team: blue } }
                expect_request:
                  method: get
                  url: http://api/items/7
                  query: { page: 2 }
                  headers: { X-Trace: "1", Cookie: null }
                  body: { a: 1 }
                answer:
                  status: 404
                  headers: { Retry-After: "3" }
                  body: { error: gone }
                expect_result:
                  error: true
                  text_contains: [gone, "404"]
                  structured_content: { a: [1] }
            """
        let result = ConnectorTestDecoder().decode(yaml: yaml, file: "t.yaml")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let suite = try #require(result.suite)
        #expect(suite.secrets == ["env:TOKEN": "t-1"])
        let testCase = try #require(suite.cases.first)
        #expect(testCase.name == "one" && testCase.tool == "get_item")
        #expect(testCase.location.line == 4)
        #expect(testCase.arguments == ["id": 7, "tags": ["a"]])
        #expect(testCase.caller?.subject == "u-1" && testCase.caller?.scopes == ["read", "write"])
        #expect(testCase.caller?.claims["team"] == "blue" && testCase.caller?.claims["email"] == "a@example.com")
        let request = try #require(testCase.expectedRequest)
        #expect(request.method == "GET" && request.url == "http://api/items/7" && request.query == ["page": 2])
        #expect(request.headers.map(\.name) == ["X-Trace", "Cookie"] && request.headers[1].value == nil)
        #expect(request.body == ["a": 1])
        let answer = try #require(testCase.answer)
        #expect(answer.status == 404 && answer.contentType == "application/json" && answer.headers == ["Retry-After": "3"])
        #expect(try JSONParser.parse(answer.body) == ["error": "gone"])
        #expect(testCase.expectedResult == ExpectedResult(isError: true, textContains: ["gone", "404"], structuredContent: ["a": [1]]))
    }

    @Test func noneMeansNoRequestAndAStringBodyIsText() throws {
        let yaml = """
            cases:
              - { name: a, tool: t, expect_request: none, expect_result: { error: true } }
              - { name: b, tool: t, answer: { body: plain words }, expect_result: { text: plain words } }
            """
        let suite = try #require(ConnectorTestDecoder().decode(yaml: yaml, file: "t.yaml").suite)
        #expect(suite.cases[0].expectedRequest?.none == true)
        #expect(suite.cases[1].answer == RecordedAnswer(status: 200, contentType: "text/plain", body: Array("plain words".utf8)))
    }

    @Test func reportsEachProblemWithItsPlace() {
        let yaml = """
            secrets:
              TOKEN: x
            cases:
              - name: a
                tool: t
                expect_reqest: none
              - name: a
                tool: t
                expect_result: { error: true }
              - tool: t
                expect_result: { error: maybe }
            """
        let result = ConnectorTestDecoder().decode(yaml: yaml, file: "t.yaml")
        #expect(result.suite == nil)
        let messages = result.diagnostics.map(\.description)
        #expect(messages.contains { $0.hasPrefix("t.yaml:2:3:") && $0.contains("env:NAME") }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("t.yaml:6:5:") && $0.contains("did you mean 'expect_request'") }, "\(messages)")
        #expect(messages.contains { $0.contains("expects nothing") }, "\(messages)")
        #expect(messages.contains { $0.contains("two cases are named 'a'") }, "\(messages)")
        #expect(messages.contains { $0.contains("needs a 'name'") }, "\(messages)")
        #expect(messages.contains { $0.contains("error must be") }, "\(messages)")
    }

    @Test func refusesWhatIsNotATestFile() {
        #expect(ConnectorTestDecoder().decode(yaml: "", file: "t.yaml").diagnostics.first?.message == "file is empty")
        #expect(ConnectorTestDecoder().decode(yaml: "cases: [", file: "t.yaml").diagnostics.first?.message.hasPrefix("invalid YAML") == true)
        #expect(ConnectorTestDecoder().decode(yaml: "secrets: {}", file: "t.yaml").diagnostics.first?.message.contains("needs 'cases:'") == true)
    }
}
