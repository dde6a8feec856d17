import GatehouseJSON
import Testing

@testable import DeploymentDoctor

@Suite struct ToolListReviewTests {
    static func tool(_ name: String, description: String = "Does a thing.", annotated: Bool = true, padding: Int = 0) -> JSONValue {
        var tool: JSONObject = ["name": .string(name), "description": .string(description + String(repeating: " ", count: padding))]
        if annotated { tool["annotations"] = ["readOnlyHint": true] }
        return .object(tool)
    }

    static func review(_ tools: [JSONValue], bytes: Int = 1000) -> [String: [DoctorFinding]] {
        Dictionary(grouping: ToolListReview.review(tools, listBytes: bytes), by: \.check)
    }

    @Test func goodNamesPass() {
        let findings = Self.review([Self.tool("list_items"), Self.tool("get-item")])
        #expect(findings["tool-names"]?.map(\.verdict) == [.pass])
        #expect(findings["tools"]?.first?.summary.contains("2 tools") == true)
    }

    @Test func namesTheSpecificationRefusesFail() {
        let findings = Self.review([Self.tool("list items"), Self.tool(""), Self.tool(String(repeating: "a", count: 129))])
        let names = findings["tool-names"] ?? []
        #expect(names.map(\.verdict) == [.failure])
        #expect(names.first?.summary.contains("list items") == true)
        #expect(names.first?.summary.contains("(empty)") == true)
    }

    @Test func namesClaudeDoesNotTakeWarn() {
        let long = String(repeating: "a", count: 65)
        let names = Self.review([Self.tool(long), Self.tool("admin.tools.list")])["tool-names"] ?? []
        #expect(names.map(\.verdict) == [.warning])
        #expect(names.first?.summary.contains("admin.tools.list") == true)
    }

    @Test func aNameListedTwiceFails() {
        let names = Self.review([Self.tool("a"), Self.tool("a")])["tool-names"] ?? []
        #expect(names.map(\.verdict) == [.failure])
        #expect(names.first?.summary.contains("twice") == true)
    }

    @Test func missingDescriptionsAndAnnotationsWarn() {
        let findings = Self.review([Self.tool("a", description: "  "), Self.tool("b", annotated: false)])
        #expect(findings["tool-descriptions"]?.first?.summary.hasSuffix(": a.") == true)
        #expect(findings["tool-annotations"]?.first?.summary.hasSuffix(": b.") == true)
    }

    @Test func largeToolsAndListsWarn() {
        let findings = Self.review([Self.tool("big", padding: 20_000), Self.tool("small")], bytes: 300 * 1024)
        #expect(findings["tool-size"]?.first?.summary.hasSuffix(": big.") == true)
        #expect(findings["tools-list-size"]?.map(\.verdict) == [.warning])
    }

    @Test func longListsOfNamesAreCut() {
        #expect(ToolListReview.list((1...8).map { "t\($0)" }) == "t1, t2, t3, t4, t5 and 3 more")
    }

    @Test func noToolsWarns() {
        #expect(Self.review([])["tools"]?.map(\.verdict) == [.pass, .warning])
    }
}

@Suite struct MCPAnswerTests {
    @Test func eventsJoinTheirDataLines() {
        let text = "event: message\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\n: comment\ndata:{\"b\":2}\n"
        #expect(MCPAnswer.events(text) == ["{\"a\":\n1}", "{\"b\":2}"])
    }

    @Test func theAnswerWithTheIDIsPickedFromAStream() throws {
        let stream = "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}\n\ndata: {\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}\n\n"
        let response = DoctorResponse(status: 200, headers: [("Content-Type", "text/event-stream")], body: Array(stream.utf8))
        let message = try MCPAnswer.message(in: response, id: 7).get()
        #expect(message["result"] != nil)
        #expect(throws: MCPAnswer.Problem.self) { try MCPAnswer.message(in: response, id: 8).get() }
    }

    @Test func aBodyThatIsNotJSONIsAProblem() {
        let html = DoctorResponse(status: 200, headers: [("Content-Type", "text/html")], body: Array("<html>".utf8))
        #expect(throws: MCPAnswer.Problem.self) { try MCPAnswer.message(in: html, id: 1).get() }
    }
}

@Suite struct EndpointAddressTests {
    @Test func metadataLocationsFollowTheRFCs() {
        let address = EndpointAddress("https://Mcp.Example.com:8443/tenant/mcp/")
        #expect(address?.origin == "https://mcp.example.com:8443")
        #expect(address?.resourceMetadataURLs.pathInserted == "https://mcp.example.com:8443/.well-known/oauth-protected-resource/tenant/mcp")
        #expect(address?.resourceMetadataURLs.root == "https://mcp.example.com:8443/.well-known/oauth-protected-resource")
        #expect(
            EndpointAddress.authorizationServerMetadataURLs(issuer: "https://login.example.com/realms/a") == [
                "https://login.example.com/.well-known/oauth-authorization-server/realms/a",
                "https://login.example.com/.well-known/openid-configuration/realms/a",
                "https://login.example.com/realms/a/.well-known/openid-configuration",
            ])
    }

    @Test(arguments: ["ftp://x/mcp", "https:///mcp", "https://user:pw@x/mcp", "https://x/mcp#part", "x/mcp"])
    func whatIsNotAnEndpointURL(_ text: String) {
        #expect(EndpointAddress(text) == nil)
    }

    @Test func loopbackHosts() {
        #expect(EndpointAddress("http://127.0.0.1:8080/mcp")?.isLoopback == true)
        #expect(EndpointAddress("http://localhost/mcp")?.isLoopback == true)
        #expect(EndpointAddress("http://[::1]:9/mcp")?.isLoopback == true)
        #expect(EndpointAddress("http://10.0.0.1/mcp")?.isLoopback == false)
    }
}
