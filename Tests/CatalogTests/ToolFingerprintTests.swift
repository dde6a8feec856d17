import ConnectorModel
import GatehouseJSON
import GatehouseTesting
import Testing

@testable import Catalog

/// The one tool a connector text defines, as the catalogue serves it.
func servedTool(_ yaml: String, secrets: TestSecrets = TestSecrets()) throws -> CatalogTool {
    let result = CatalogLoader(decoder: ConnectorDecoder(secrets: secrets)).assemble([(file: "c.yaml", text: yaml)])
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
    return try #require(result.catalog.tools.first)
}

@Suite("Tool fingerprints")
struct ToolFingerprintTests {
    static let base = """
        connector: tickets
        base_url: https://api.example/v1
        headers: { X-Tenant: acme }
        tools:
          - name: delete_ticket
            title: Delete a ticket
            description: Deletes one ticket for good.
            method: DELETE
            path: /tickets/{id}
            parameters:
              id: { type: integer, required: true, description: The ticket }
              reason: { type: string, in: query }
            scopes: [tickets:write]
        """

    @Test func formattingCommentsAndKeyOrderDoNotMoveIt() throws {
        let reformatted = """
            # The tickets API.
            base_url: "https://api.example/v1"   # trailing comment
            connector: tickets
            headers:
              X-Tenant: "acme"
            tools:
              - path: /tickets/{id}
                method: DELETE
                scopes:
                  - tickets:write
                parameters:
                  reason:
                    in: query
                    type: string
                  id:
                    required: true
                    description: The ticket
                    type: integer
                description: >-
                  Deletes one ticket
                  for good.
                title: Delete a ticket
                name: delete_ticket
            """
        let a = try servedTool(Self.base)
        let b = try servedTool(reformatted)
        #expect(a.fingerprint == b.fingerprint)
        #expect(a.fingerprint.hasPrefix("sha256:") && a.fingerprint.count == 39)
    }

    @Test func theOrderOfRequiredParametersDoesNotCount() throws {
        let ab = ConnectorText.oneTool("    parameters:\n      a: { type: string, required: true }\n      b: { type: string, required: true }")
        let ba = ConnectorText.oneTool("    parameters:\n      b: { type: string, required: true }\n      a: { type: string, required: true }")
        #expect(try servedTool(ab).fingerprint == servedTool(ba).fingerprint)
    }

    /// Each edit changes what the tool is or does; each must move the
    /// fingerprint and name the field that moved.
    @Test(arguments: [
        ("description: Deletes one ticket for good.", "description: Deletes one ticket, keeping a copy.", "description"),
        ("title: Delete a ticket", "title: Remove a ticket", "title"),
        ("method: DELETE", "method: POST", "method"),
        ("path: /tickets/{id}", "path: /tickets/{id}/trash", "url"),
        ("base_url: https://api.example/v1", "base_url: https://api.example/v2", "url"),
        ("headers: { X-Tenant: acme }", "headers: { X-Tenant: other }", "headers"),
        ("scopes: [tickets:write]", "scopes: [tickets:admin]", "scopes"),
        ("description: The ticket }", "description: The ticket number }", "input_schema"),
        ("reason: { type: string, in: query }", "reason: { type: string, in: header }", "parameters"),
        ("scopes: [tickets:write]", "scopes: [tickets:write]\n    annotations: { idempotent: false }", "annotations"),
        ("scopes: [tickets:write]", "scopes: [tickets:write]\n    confirm: \"Delete {{ id }}?\"", "confirm"),
        ("scopes: [tickets:write]", "scopes: [tickets:write]\n    tags: [support]", "tags"),
        ("scopes: [tickets:write]", "scopes: [tickets:write]\n    query: { v: \"2\" }", "query"),
        ("scopes: [tickets:write]", "scopes: [tickets:write]\n    response: { max_bytes: 5000 }", "response"),
        ("headers: { X-Tenant: acme }", "headers: { X-Tenant: acme }\nauth: { bearer: token-value }", "auth"),
    ])
    func everyMeaningfulChangeMovesIt(_ edit: (String, String, String)) throws {
        let before = try servedTool(Self.base)
        let edited = Self.base.replacingOccurrences(of: edit.0, with: edit.1)
        #expect(edited != Self.base)
        let after = try servedTool(edited)
        #expect(before.fingerprint != after.fingerprint)
        let changes = CatalogChanges.between([before], [after])
        #expect(changes.count == 1)
        #expect(changes.first?.kind == .changed)
        #expect(changes.first?.fields.map(\.name).contains(edit.2) == true, "\(changes.first?.fields.map(\.name) ?? [])")
    }

    @Test func aSecretsValueNeverEntersIt() throws {
        let text = """
            connector: tickets
            base_url: ${env:API_URL}
            headers: { X-Api-Key: "${env:API_KEY}" }
            auth: { bearer: "${env:TOKEN}" }
            tools:
              - name: list
                description: Lists.
                path: /list
            """
        let one = try servedTool(
            text, secrets: TestSecrets(environment: ["API_URL": "https://a.example", "API_KEY": "key-one-1234", "TOKEN": "token-one-1234"]))
        let two = try servedTool(
            text, secrets: TestSecrets(environment: ["API_URL": "https://b.example", "API_KEY": "key-two-5678", "TOKEN": "token-two-5678"]))
        #expect(one.fingerprint == two.fingerprint)
        let facts = JSONValue.object(JSONObject(one.facts.fields.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })).jsonString
        for secret in ["key-one-1234", "token-one-1234", "a.example"] { #expect(!facts.contains(secret)) }
        #expect(facts.contains("${env:API_KEY}"))
        // A machine without the secrets (review, CI) computes the same.
        let standIn = CatalogLoader(decoder: ConnectorDecoder(secrets: StandInSecretSource()))
            .assemble([(file: "c.yaml", text: text)]).catalog.tools.first
        #expect(standIn?.fingerprint == one.fingerprint)
    }

    @Test func itIsPublishedInTheToolsMeta() throws {
        let tool = try servedTool(Self.base)
        let descriptor = try JSONParser.parse(tool.descriptor)
        #expect(descriptor["_meta"]?[CatalogTool.fingerprintMetaKey]?.stringValue == tool.fingerprint)
    }

    @Test func changesListAddedRemovedAndChangedTools() throws {
        let old = [try servedTool(Self.base), try servedTool(Self.base.replacingOccurrences(of: "delete_ticket", with: "gone"))]
        let new = [
            try servedTool(Self.base.replacingOccurrences(of: "for good.", with: "for ever.")),
            try servedTool(Self.base.replacingOccurrences(of: "delete_ticket", with: "fresh")),
        ]
        let changes = CatalogChanges.between(old, new)
        #expect(changes.map(\.kind) == [.changed, .added, .removed])
        #expect(changes.map(\.tool) == ["delete_ticket", "fresh", "gone"])
        #expect(changes[0].fields.map(\.name) == ["description"])
        #expect(changes[0].fields[0].summary == "Deletes one ticket for [-good.-] {+ever.+}")
        let report = ChangeReport.markdown(changes, old: "main", new: "HEAD")
        #expect(report.contains("1 added, 1 changed, 1 removed."))
        #expect(report.contains("- **changed** `delete_ticket` (tickets)"))
        #expect(report.contains("  - `description`: Deletes one ticket for [-good.-] {+ever.+}"))
    }

    @Test func wordDiffsShowOnlyWhatMoved() {
        #expect(WordDiff.describe(from: "a b c d", to: "a b x d") == "a b [-c-] {+x+} d")
        #expect(WordDiff.describe(from: "a", to: "a b") == "a {+b+}")
        #expect(WordDiff.describe(from: "one two three four five six seven eight", to: "one two three four five six seven nine")
            == "… four five six seven [-eight-] {+nine+}")
        #expect(WordDiff.describe(from: "a  b", to: "a b") == "white space only")
    }

    @Test func aThousandToolsAreFingerprintedQuickly() throws {
        var text = "connector: big\nbase_url: https://big.example\ntools:\n"
        for index in 0..<1000 {
            text += "  - name: tool_\(index)\n    description: Tool number \(index) does a thing.\n    path: /things/{id}/\(index)\n"
            text += "    parameters:\n      id: { type: integer, required: true }\n      q: { type: string }\n"
        }
        let tools = CatalogLoader().assemble([(file: "big.yaml", text: text)]).catalog.tools
        #expect(tools.count == 1000)
        let started = ContinuousClock.now
        let fingerprints = Set(tools.map { ToolFacts(definition: $0.definition, target: $0.target).fingerprint })
        let elapsed = ContinuousClock.now - started
        #expect(fingerprints.count == 1000)
        // Debug build, beside the other suites on shared CI cores (0.53 s
        // was seen on a slow two-core VM): this bound only catches work
        // that grows with the square of the tools; the release figure is
        // in BENCHMARKS.md.
        #expect(elapsed < .seconds(2), "\(elapsed)")
    }
}
