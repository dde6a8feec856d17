import Foundation
import GatehouseTesting
import Testing

@testable import ConnectorModel

@Suite("Secrets are kept out of answers")
struct SecretRedactorTests {
    @Test func everyWireFormOfASecretIsReplaced() throws {
        let redactor = SecretRedactor(secrets: ["s3cr/t\"value+1"])
        let body = #"{"raw":"s3cr/t\"value+1","query":"token=s3cr%2Ft%22value%2B1","b64":"czNjci90InZhbHVlKzE="}"#
        let cleaned = try #require(redactor.redact(Array(body.utf8)))
        let text = String(decoding: cleaned, as: UTF8.self)
        #expect(!text.contains("s3cr"))
        #expect(!text.contains("czNjci90InZhbHVlKzE"))
        #expect(text.components(separatedBy: SecretRedactor.replacement).count == 4)
        #expect(text.hasPrefix(#"{"raw":"[REDACTED]","#), "the JSON stays valid")
    }

    @Test func anAnswerWithoutSecretsIsNotCopied() {
        let redactor = SecretRedactor(secrets: ["topsecret"])
        #expect(redactor.redact(Array(#"{"ok":true,"items":[1,2,3]}"#.utf8)) == nil)
        #expect(SecretRedactor.none.redact(Array("topsecret".utf8)) == nil)
    }

    @Test func repeatedAndAdjacentOccurrencesAreAllReplaced() {
        let redactor = SecretRedactor(secrets: ["abcd"])
        #expect(redactor.redact("abcdabcd xabcdx abcd") == "[REDACTED][REDACTED] x[REDACTED]x [REDACTED]")
    }

    @Test func veryShortValuesAreNotSearchedFor() {
        #expect(SecretRedactor(secrets: ["ab", ""]).isEmpty)
    }

    @Test func theDecoderCollectsResolvedSecretsAndAuthCredentials() throws {
        let yaml = """
            connector: c
            base_url: https://api.example.com
            headers:
              X-Tenant-Key: ${env:TENANT_KEY}
              X-Static: not-a-secret
            auth:
              basic: { username: robot, password: "${file:/run/pw}" }
            tools:
              - name: t
                description: A tool.
                path: /x
            """
        let secrets = TestSecrets(environment: ["TENANT_KEY": "tenant-key-123"], files: ["/run/pw": "pa55word\n"])
        let result = ConnectorDecoder(secrets: secrets).decode(yaml: yaml, file: "c.yaml", directory: "/etc")
        let connector = try #require(result.connector)
        let basic = Data("robot:pa55word".utf8).base64EncodedString()
        let echoed = "key=tenant-key-123 pw=pa55word auth=Basic \(basic) static=not-a-secret user=robot"
        #expect(
            connector.redactor.redact(echoed)
                == "key=[REDACTED] pw=[REDACTED] auth=Basic [REDACTED] static=not-a-secret user=robot")
        #expect(connector.target.redactor.redact("tenant-key-123") == "[REDACTED]")
    }

    @Test func aLiteralBearerTokenIsASecretToo() throws {
        let yaml = """
            connector: c
            base_url: https://api.example.com
            auth: { bearer: literal-token-xyz }
            error_body_bytes: 0
            tools:
              - name: t
                description: A tool.
                path: /x
            """
        let connector = try #require(ConnectorDecoder(secrets: TestSecrets()).decode(yaml: yaml, file: "c.yaml").connector)
        #expect(connector.redactor.redact("Bearer literal-token-xyz") == "Bearer [REDACTED]")
        #expect(connector.errorBodyBytes == 0)
    }

    @Test func errorBodyBytesIsBounded() {
        let yaml = """
            connector: c
            base_url: https://api.example.com
            error_body_bytes: 1MB
            tools:
              - name: t
                description: A tool.
                path: /x
            """
        let result = ConnectorDecoder(secrets: TestSecrets()).decode(yaml: yaml, file: "c.yaml")
        #expect(result.diagnostics.map(\.description) == ["c.yaml:3:19: error_body_bytes must be at most 65536 (0 quotes no body)"])
    }
}
