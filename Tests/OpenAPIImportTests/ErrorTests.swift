import Testing

@testable import OpenAPIImport

@Suite struct ErrorTests {
    @Test func swaggerDocumentsAreRefusedByName() {
        let error = importError("swagger: '2.0'\ninfo: { title: Old, version: '1' }\npaths: {}\n")
        #expect(error?.message.contains("Swagger 2.0 document") == true)
    }

    @Test(arguments: [
        ("title: Not an API\n", "no 'openapi' version field"),
        ("- a\n- b\n", "the top level is not an object"),
        ("", "the top level is not an object"),
        ("openapi: 4.0.0\ninfo: { title: x, version: '1' }\n", "unsupported OpenAPI version '4.0.0'"),
        ("openapi: 3.1.0\npaths: {}\n", "invalid OpenAPI document"),
        ("openapi: 3.1.0\ninfo: [\n", "neither valid JSON nor valid YAML: line "),
        ("{\"openapi\": \"3.1.0\", \"info\": {\"title\": \"x\"", "starts like JSON but is not valid JSON: unexpected end of input"),
    ])
    func badDocuments(text: String, expected: String) {
        let message = importError(text)?.message ?? "no error"
        #expect(message.contains(expected), "\(message)")
    }

    @Test func theBaseURLComesFromTheFirstServerWithItsVariables() throws {
        let servers = """
              - url: https://{region}.api.example.com:{port}/{version}/
                variables:
                  region: { default: eu, enum: [eu, us] }
                  port: { default: "8443" }
                  version: { default: v2 }
              - url: https://other.example.com
            """
        let imported = try Imported(document(paths: "  /a:\n    get: { operationId: a }", servers: servers))
        #expect(imported.connector.baseURL.description == "https://eu.api.example.com:8443/v2")
    }

    @Test func aRelativeOrMissingServerNeedsBaseURL() throws {
        let relative = document(paths: "  /a:\n    get: { operationId: a }", servers: "  - url: /api/v3")
        #expect(importError(relative)?.message.contains("is relative; pass --base-url") == true)
        let imported = try Imported(relative, baseURL: "http://127.0.0.1:9000/api/v3/")
        #expect(imported.connector.baseURL.description == "http://127.0.0.1:9000/api/v3")

        let none = "openapi: 3.1.0\ninfo: { title: x, version: '1' }\npaths:\n  /a:\n    get: { operationId: a }\n"
        #expect(importError(none)?.message.contains("names no server") == true)
        #expect(importError(none, baseURL: "ftp://x")?.message.hasPrefix("--base-url:") == true)
        // A secret reference is left for the server to resolve.
        let options = ImportOptions(baseURL: "${env:API_URL}", sourceName: "spec.yaml")
        #expect(try OpenAPIImporter(options: options).run(text: none).yaml.contains("base_url: \"${env:API_URL}\"\n"))
    }

    @Test func namesAreCheckedAndDerived() throws {
        let text = document(paths: "  /a:\n    get: { operationId: a }")
        #expect(importError(text, name: "bad name")?.message.contains("--name 'bad name'") == true)
        #expect(try Imported(text).connector.name == "test-api")
        #expect(try Imported(text, name: "pets_v2").connector.name == "pets_v2")
    }

    @Test func aDocumentWithNothingToImport() {
        #expect(importError(document(paths: "  {}"))?.message == "the document has no operations to import")
        let onlyHead = document(paths: "  /a:\n    head: { operationId: ping }")
        let message = importError(onlyHead)?.message ?? ""
        #expect(message.contains("none of the 1 selected operations can become a tool"))
        #expect(message.contains("ping (HEAD /a): skipped: the connector format has no HEAD tools"))
    }

    @Test func unresolvableReferencesAreReported() {
        let text = document(
            paths: """
                  /a:
                    get:
                      operationId: a
                      parameters: [{ $ref: '#/components/parameters/Missing' }]
                """)
        #expect(importError(text)?.message.hasPrefix("cannot resolve the document's references") == true)
    }
}
