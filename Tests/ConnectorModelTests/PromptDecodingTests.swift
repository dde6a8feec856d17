import GatehouseTesting
import Testing

@testable import ConnectorModel

@Suite("Prompts in connector files")
struct PromptDecodingTests {
    func decode(_ prompts: String) -> ConnectorDecoder.Result {
        ConnectorDecoder(secrets: TestSecrets()).decode(yaml: ConnectorText.oneTool() + "\nprompts:\n" + prompts, file: "c.yaml")
    }

    static let triage = """
          - name: triage
            title: Triage a ticket
            description: Suggest a priority.
            arguments:
              id: { description: The ticket, required: true }
              team: {}
            messages:
              - text: "Read ticket {{ id }} for team {{ team }}."
              - role: assistant
                text: Reading it now.
        """

    @Test func aPromptIsReadAndFilledIn() throws {
        let result = decode(Self.triage)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let prompt = try #require(result.connector?.prompts.first)
        #expect(prompt.arguments == [.init(name: "id", description: "The ticket", required: true), .init(name: "team")])
        let messages = try prompt.render(["id": "42"])
        #expect(messages.map(\.role) == [.user, .assistant])
        #expect(messages.map(\.text) == ["Read ticket 42 for team .", "Reading it now."])
        #expect(throws: PromptDefinition.RenderProblem.missing(["id"])) { try prompt.render([:]) }
        #expect(throws: PromptDefinition.RenderProblem.unknown(["other"])) { try prompt.render(["id": "1", "other": "x"]) }
        #expect(prompt.descriptor == [
            "name": "triage", "title": "Triage a ticket", "description": "Suggest a priority.",
            "arguments": [["name": "id", "description": "The ticket", "required": true], ["name": "team"]],
        ])
    }

    @Test func mistakesAreReportedWhereTheyAre() {
        let unknownPlaceholder = decode("  - name: p\n    messages:\n      - text: \"{{ nope }}\"\n")
        #expect(unknownPlaceholder.diagnostics.first?.message.contains("names no parameter") == true)
        let user = decode("  - name: p\n    messages:\n      - text: \"Hi {{ user.email }}\"\n")
        #expect(user.diagnostics.first?.message.contains("only use the prompt's arguments") == true)
        let role = decode("  - name: p\n    messages:\n      - { role: system, text: hi }\n")
        #expect(role.diagnostics.first?.message == "role must be user or assistant")
        let noMessages = decode("  - name: p\n")
        #expect(noMessages.diagnostics.first?.message == "prompt 'p' needs messages")
        let typo = decode("  - name: p\n    mesages: []\n")
        #expect(typo.diagnostics.contains { $0.message.contains("did you mean 'messages'") })
        let twice = decode(Self.triage + "\n" + Self.triage)
        #expect(twice.diagnostics.contains { $0.message.contains("duplicate prompt name 'triage'") })
    }
}
