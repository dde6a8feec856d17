import GatehouseTesting
import Testing

@testable import ConnectorModel

@Suite("YAML that would make the parser work forever")
struct AliasKeyCheckTests {
    /// Thirty levels of aliases, each doubling the last: hashing the last
    /// one as a key would walk 2^30 nodes.
    static func bomb(key: String) -> String {
        var lines = ["a0: &a0 {x: 1, y: 1}"]
        for level in 1..<30 { lines.append("a\(level): &a\(level) {x: *a\(level - 1), y: *a\(level - 1)}") }
        lines.append(key)
        return lines.joined(separator: "\n") + "\n"
    }

    @Test(.timeLimit(.minutes(1)), arguments: [
        ("? *a29\n: boom", "31:3: a YAML alias cannot be a mapping key"),
        ("? [*a29, 1]\n: boom", "31:3: complex mapping keys (a list or a mapping as a key) are not supported"),
        ("outer: {[*a29]: boom}", "31:9: complex mapping keys (a list or a mapping as a key) are not supported"),
        ("*a29 : boom", "31:1: a YAML alias cannot be a mapping key"),
        ("outer: {*a29: boom}", "31:9: a YAML alias cannot be a mapping key"),
        ("list:\n  - *a29: boom", "32:5: a YAML alias cannot be a mapping key"),
    ])
    func aliasesAndComplexKeysAreRefusedBeforeParsing(key: String, expected: String) {
        let result = ConnectorDecoder(secrets: TestSecrets()).decode(yaml: Self.bomb(key: key), file: "bomb.yaml")
        #expect(result.diagnostics.map(\.description) == ["bomb.yaml:" + expected])
    }

    @Test func ordinaryAliasesStillWork() {
        let yaml = """
            connector: c
            base_url: https://api.example.com
            tools:
              - name: a
                description: &same A tool. # *not: a key, a comment
                path: /a
              - name: b
                description: *same
                path: /b
            """
        let result = ConnectorDecoder(secrets: TestSecrets()).decode(yaml: yaml, file: "c.yaml")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description))")
        #expect(result.connector?.tools.count == 2)
    }

    /// Markdown emphasis before a colon looks like an alias key to a
    /// reader of the text, but the parser sees text: such descriptions,
    /// common in API documents, must load.
    @Test func markdownThatLooksLikeAnAliasKeyIsText() {
        let yaml = """
            connector: c
            base_url: https://api.example.com
            tools:
              - name: a
                description: "**Note**: plain *quoted*: text"
                path: /a
              - name: b
                description: |
                  *Timeline*: events of an issue.
                  **User**: who did it.
                path: /b
              - name: c
                description: '*Single*: quoted'
                path: /c
            """
        let result = ConnectorDecoder(secrets: TestSecrets()).decode(yaml: yaml, file: "c.yaml")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description))")
        #expect(result.connector?.tools.map(\.description) == [
            "**Note**: plain *quoted*: text", "*Timeline*: events of an issue.\n**User**: who did it.\n", "*Single*: quoted",
        ])
    }

    @Test func aKeyWithAnApostropheCannotCarryTheFileOut() {
        let key = "a' " + String(repeating: "z", count: 300)
        let diagnostic = Diagnostic(file: "f", line: 1, column: 1, message: "unknown key \(Diagnostic.quoted(key)) in the connector file")
        #expect(diagnostic.message.count <= 100, "the key is cut at 64 characters: \(diagnostic.message)")
        #expect(diagnostic.message.hasSuffix("…' in the connector file"))
    }
}
