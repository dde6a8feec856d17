import GatehouseJSON
import GatehouseTesting
import Testing

@testable import ConnectorModel

@Suite("Confirmations and tags in connector files")
struct ConfirmationDecodingTests {
    func decode(_ text: String) -> ConnectorDecoder.Result {
        ConnectorDecoder(secrets: TestSecrets()).decode(yaml: text, file: "c.yaml")
    }

    func tool(_ lines: String, method: String = "DELETE", connectorLines: String = "") throws -> ToolDefinition {
        let result = decode(ConnectorText.oneTool(
            lines + "\n    parameters: { id: { type: integer, required: true, in: query } }", method: method,
            connectorLines: connectorLines))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        return try #require(result.connector?.tools.first)
    }

    @Test func aQuestionIsATemplateOverTheArguments() throws {
        let confirmation = try #require(try tool(#"    confirm: "Delete ticket {{ id }}?""#).confirmation)
        #expect(confirmation.render(toolTitle: "Delete", arguments: ["id": 42]) == "Delete ticket 42?")
        #expect(confirmation.render(toolTitle: "Delete", arguments: ["id": "a\nb"]) == "Delete ticket a\nb?")
        let long = confirmation.render(toolTitle: "Delete", arguments: ["id": .string(String(repeating: "x", count: 500))])
        #expect(long.count < 220)
    }

    @Test func trueAsksADefaultQuestionAndFalseNever() throws {
        let asked = try #require(try tool("    confirm: true").confirmation)
        #expect(asked.render(toolTitle: "Delete a ticket", arguments: ["id": 3]) == "Allow Delete a ticket to run?\nid: 3")
        #expect(try tool("    confirm: false", connectorLines: "confirm: all").confirmation == nil)
    }

    @Test(arguments: [
        ("none", "DELETE", false), ("destructive", "DELETE", true), ("destructive", "POST", false), ("destructive", "PUT", true),
        ("writes", "POST", true), ("writes", "GET", false), ("all", "GET", true),
    ])
    func theConnectorsDefaultFollowsTheAnnotations(_ policy: (String, String, Bool)) throws {
        let decoded = try tool("", method: policy.1, connectorLines: "confirm: \(policy.0)")
        #expect((decoded.confirmation != nil) == policy.2)
    }

    @Test func mistakesAreReportedWhereTheyAre() {
        let user = decode(ConnectorText.oneTool(#"    confirm: "Delete for {{ user.email }}?""#))
        #expect(user.diagnostics.first?.message.contains("only use the tool's arguments") == true)
        let unknown = decode(ConnectorText.oneTool(#"    confirm: "Delete {{ nope }}?""#))
        #expect(unknown.diagnostics.first?.message.contains("names no parameter") == true)
        let policy = decode(ConnectorText.oneTool(connectorLines: "confirm: sometimes"))
        #expect(policy.diagnostics.first?.message.contains("confirm must be one of none, destructive, writes, all") == true)
        let tags = decode(ConnectorText.oneTool("    tags: [ok, \"not ok\"]"))
        #expect(tags.diagnostics.first?.message.contains("tag 'not ok'") == true)
        #expect(tags.diagnostics.first?.line == 8)
    }

    @Test func tagsAreKeptOnceEach() throws {
        let decoded = decode(ConnectorText.oneTool("    tags: [research, tickets, research]"))
        #expect(decoded.connector?.tools.first?.tags == ["research", "tickets"])
    }
}
