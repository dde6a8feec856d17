import GatehouseJSON
import GatehouseTesting
import Testing

@testable import ConnectorModel

@Suite("Resources in connector files")
struct ResourceDecodingTests {
    func decode(_ resources: String) -> ConnectorDecoder.Result {
        ConnectorDecoder(secrets: TestSecrets()).decode(yaml: ConnectorText.oneTool() + "\nresources:\n" + resources, file: "c.yaml")
    }

    @Test func templatesMatchAndDecodeTheirVariables() throws {
        let template = try URITemplate(parsing: "tickets://projects/{project}/tickets/{id}{#part}")
        #expect(template.variables == ["project", "id", "part"])
        #expect(template.match("tickets://projects/OPS/tickets/42#notes") == ["project": "OPS", "id": "42", "part": "notes"])
        #expect(template.match("tickets://projects/a%20b/tickets/7#x") == ["project": "a b", "id": "7", "part": "x"])
        #expect(template.match("tickets://projects/OPS/x/tickets/42#n") == nil, "a simple value has no '/'")
        #expect(template.match("tickets://projects//tickets/42#n") == nil, "values are not empty")
        let reserved = try URITemplate(parsing: "files://{+path}")
        #expect(reserved.match("files://docs/a/b.md") == ["path": "docs/a/b.md"])
        #expect(throws: URITemplate.ParseError.self) { try URITemplate(parsing: "tickets://{a}{b}") }
        #expect(throws: URITemplate.ParseError.self) { try URITemplate(parsing: "tickets://{a,b}") }
        #expect(throws: URITemplate.ParseError.self) { try URITemplate(parsing: "no-scheme/{a}") }
        #expect(throws: URITemplate.ParseError.self) { try URITemplate(parsing: "tickets://fixed") }
    }

    @Test func aResourceIsAGetRouteWithTheTemplatesVariablesAsArguments() throws {
        let result = decode("""
              - name: ticket
                uri_template: tickets://tickets/{id}
                title: A ticket
                path: /tickets/{id}
                parameters: { id: { type: integer } }
                response: { select: data }
              - name: open
                uri: tickets://open
                mime_type: application/json
                path: /tickets
                query: { state: open }
            """)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let resources = try #require(result.connector?.resources)
        #expect(resources.map(\.name) == ["ticket", "open"])
        #expect(resources[0].arguments(for: "tickets://tickets/42") == ["id": 42])
        #expect(resources[0].arguments(for: "tickets://open") == nil)
        #expect(resources[0].request.method == .GET)
        #expect(resources[0].request.response.select == ["data"])
        #expect(resources[0].descriptor == ["uriTemplate": "tickets://tickets/{id}", "name": "ticket", "title": "A ticket"])
        #expect(resources[1].arguments(for: "tickets://open") == [:])
        #expect(resources[1].descriptor == ["uri": "tickets://open", "name": "open", "mimeType": "application/json"])
    }

    @Test func variablesDefaultToRequiredStrings() throws {
        let result = decode("  - { name: item, uri_template: \"items://{kind}/{id}\", path: \"/items/{id}\" }\n")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let resource = try #require(result.connector?.resources.first)
        #expect(resource.request.parameters.map { "\($0.name):\($0.location.rawValue)" }.sorted() == ["id:path", "kind:query"])
        #expect(resource.arguments(for: "items://book/12") == ["kind": "book", "id": "12"])
    }

    @Test func mistakesAreReportedWhereTheyAre() {
        let both = decode("  - { name: x, uri: \"a://b\", uri_template: \"a://{c}\", path: /c }\n")
        #expect(both.diagnostics.first?.message.contains("both uri and uri_template") == true)
        let neither = decode("  - { name: x, path: /c }\n")
        #expect(neither.diagnostics.first?.message.contains("needs a uri or a uri_template") == true)
        let relative = decode("  - { name: x, uri: just-a-name, path: /c }\n")
        #expect(relative.diagnostics.first?.message.contains("absolute URI") == true)
        let unmapped = decode("  - { name: x, uri_template: \"a://{c}\", path: /c, parameters: { d: { type: string, required: true } } }\n")
        #expect(unmapped.diagnostics.contains { $0.message.contains("{c} has no parameter") })
        #expect(unmapped.diagnostics.contains { $0.message.contains("'d' is required but not a uri_template variable") })
        let method = decode("  - { name: x, uri: \"a://b\", path: /c, method: POST }\n")
        #expect(method.diagnostics.first?.message.contains("unknown key 'method'") == true)
    }
}
