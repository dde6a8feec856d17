import ConnectorModel
import GatehouseJSON
import Testing

@testable import OpenAPIImport

/// Operation- and path-level `servers` send those operations to their own
/// host, as DigitalOcean's and Box's uploads do.
@Suite struct ServerMappingTests {
    @Test func operationAndPathServersBecomeTheToolsBaseURL() throws {
        let imported = try Imported(document(paths: """
              /files/content:
                servers: [{ url: "https://upload.example.com/{version}", variables: { version: { default: "2.0" } } }]
                post:
                  operationId: uploadFile
                  responses: { '200': { description: ok } }
              /files/{id}:
                get:
                  operationId: getFile
                  parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
                  responses: { '200': { description: ok } }
                delete:
                  operationId: deleteFile
                  servers: [{ url: "https://files.example.com/" }]
                  parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
                  responses: { '204': { description: gone } }
              /relative:
                get:
                  operationId: getRelative
                  servers: [{ url: "/v3" }]
                  responses: { '200': { description: ok } }
            """))
        let targets = Dictionary(uniqueKeysWithValues: imported.connector.tools.map {
            ($0.name, imported.connector.target(for: $0).baseURL.description)
        })
        #expect(targets["upload_file"] == "https://upload.example.com/2.0")
        #expect(targets["delete_file"] == "https://files.example.com")
        #expect(targets["get_file"] == "https://api.example.com/v1")
        #expect(targets["get_relative"] == "https://api.example.com/v1")
        #expect(imported.notes.contains { $0.contains("its own server '/v3' cannot be used") })
        #expect(imported.result.yaml.contains("    base_url: https://upload.example.com/2.0\n"))
        #expect(!imported.result.yaml.contains("base_url: https://api.example.com/v1\n    path"), "the document's server is not repeated")
    }
}
