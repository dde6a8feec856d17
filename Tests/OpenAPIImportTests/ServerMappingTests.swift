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

/// Paths written with a `#fragment` or fixed `?key=value` items, as Box and
/// OpenAI write some, become routes the format can carry.
@Suite struct PathSpellingTests {
    @Test func fragmentsAreDroppedAndFixedQueryItemsKept() throws {
        let imported = try Imported(document(paths: """
              /files/{file_id}#add_shared_link:
                put:
                  operationId: addShareLinkToFile
                  parameters: [{ name: file_id, in: path, required: true, schema: { type: string } }]
                  responses: { '200': { description: ok } }
              /files/{file_id}:
                put:
                  operationId: updateFile
                  parameters: [{ name: file_id, in: path, required: true, schema: { type: string } }]
                  responses: { '200': { description: ok } }
              /responses?stream=true&mode=fast%20lane:
                post:
                  operationId: createStreamedResponse
                  responses: { '200': { description: ok } }
            """))
        #expect(imported.toolNames == ["add_share_link_to_file", "update_file", "create_streamed_response"])
        let share = try imported.tool("add_share_link_to_file")
        #expect(share.path.source == "/files/{file_id}")
        let streamed = try imported.tool("create_streamed_response")
        #expect(streamed.path.source == "/responses")
        #expect(streamed.query.map(\.name) == ["stream", "mode"])
        #expect(streamed.query.map(\.value.parts) == [[.text("true")], [.text("fast lane")]])
    }
}

/// Path values that are paths themselves keep their slashes.
@Suite struct SlashedPathTests {
    @Test func allowReservedOrATrailingDocumentedPathKeepsSlashes() throws {
        let imported = try Imported(document(paths: """
              /repos/{owner}/contents/{path}:
                get:
                  operationId: reposGetContent
                  parameters:
                    - { name: owner, in: path, required: true, schema: { type: string } }
                    - { name: path, in: path, required: true, description: path parameter, schema: { type: string } }
                  responses: { '200': { description: ok } }
              /api/v1/namespaces/{namespace}/pods/{name}/proxy/{path}:
                get:
                  operationId: connectGetNamespacedPodProxyWithPath
                  parameters:
                    - { name: namespace, in: path, required: true, schema: { type: string } }
                    - { name: name, in: path, required: true, schema: { type: string } }
                    - { name: path, in: path, required: true, description: path to the resource, schema: { type: string } }
                  responses: { '200': { description: ok } }
              /files/{key}:
                get:
                  operationId: getFile
                  parameters: [{ name: key, in: path, required: true, allowReserved: true, schema: { type: string } }]
                  responses: { '200': { description: ok } }
              /users/{id}/path:
                get:
                  operationId: getUserPath
                  parameters: [{ name: id, in: path, required: true, description: the user's path id, schema: { type: string } }]
                  responses: { '200': { description: ok } }
            """))
        #expect(try imported.tool("repos_get_content").parameter("path").slashes)
        #expect(try !imported.tool("repos_get_content").parameter("owner").slashes)
        #expect(try imported.tool("connect_get_namespaced_pod_proxy_with_path").parameter("path").slashes)
        #expect(try imported.tool("get_file").parameter("key").slashes)
        #expect(try !imported.tool("get_user_path").parameter("id").slashes)
    }
}
