import ConnectorModel
import GatehouseTesting
import Testing

@testable import Catalog

@Suite("Endpoints for audiences")
struct EndpointViewTests {
    static let tickets = """
        connector: tickets
        base_url: https://tickets.example
        tools:
          - name: list_tickets
            description: Lists.
            path: /tickets
            tags: [support, research]
          - name: delete_ticket
            description: Deletes.
            method: DELETE
            path: /tickets/{id}
            parameters: { id: { type: integer, required: true } }
            tags: [support]
          - name: search_tickets
            description: Searches with a POST that only reads.
            method: POST
            path: /tickets/search
            annotations: { read_only: true }
        """
    static let crm = ConnectorText.tools("crm", ["find_customer", "admin_reset"])

    func catalog(_ endpoints: String) throws -> Catalog {
        let decoded = EndpointsDecoder().decode(yaml: endpoints, file: "endpoints.yaml")
        #expect(decoded.diagnostics.isEmpty, "\(decoded.diagnostics)")
        let loaded = CatalogLoader().assemble([(file: "a.yaml", text: Self.tickets), (file: "b.yaml", text: Self.crm)]).catalog
        return Catalog(tools: loaded.tools, connectors: loaded.connectors, endpoints: decoded.endpoints)
    }

    @Test func eachFilterNarrowsTheView() throws {
        let catalog = try catalog("""
            endpoints:
              everything: {}
              research: { read_only: true }
              support: { connectors: [tickets], tags: [support] }
              finders: { tools: ["find_*", "*_tickets"], exclude: [search_*] }
            """)
        func names(_ endpoint: String) -> [String] { catalog.endpoints[endpoint]?.tools.map(\.name) ?? ["missing"] }
        #expect(names("everything") == catalog.tools.map(\.name))
        #expect(names("research") == ["admin_reset", "find_customer", "list_tickets", "search_tickets"])
        #expect(names("support") == ["delete_ticket", "list_tickets"])
        #expect(names("finders") == ["find_customer", "list_tickets"])
        #expect(catalog.endpointDefinitions.map(\.path) == ["/mcp/everything", "/mcp/research", "/mcp/support", "/mcp/finders"])
    }

    @Test func namePatternsMatchWholeNames() {
        #expect(NamePattern("get_*").matches("get_ticket"))
        #expect(!NamePattern("get_*").matches("forget_ticket"))
        #expect(NamePattern("*_ticket?").matches("get_tickets"))
        #expect(!NamePattern("*_ticket?").matches("get_ticket"))
        #expect(NamePattern("*a*b*c*").matches("xxaxxbxxcxx"))
        #expect(!NamePattern(String(repeating: "*a", count: 30) + "b").matches(String(repeating: "a", count: 64)))
    }

    @Test func problemsAreReportedWithTheirPlace() {
        let decoded = EndpointsDecoder().decode(
            yaml: """
                endpoints:
                  Research: {}
                  ok: { read_only: true }
                  bad:
                    read_onyl: true
                    scopes: ["a b\\"c"]
                """, file: "endpoints.yaml")
        #expect(decoded.endpoints.map(\.name) == ["ok"])
        let messages = decoded.diagnostics.map(\.description)
        #expect(messages.contains { $0.hasPrefix("endpoints.yaml:2:3:") && $0.contains("endpoint name 'Research'") })
        #expect(messages.contains { $0.hasPrefix("endpoints.yaml:5:5:") && $0.contains("did you mean 'read_only'") })
        #expect(messages.contains { $0.contains("is not a valid OAuth scope") })
    }

    @Test func theReloaderReadsTheFileAndTellsWhichViewsChanged() throws {
        let folder = try TemporaryFolder(["a.yaml": Self.tickets, "endpoints.yaml": "endpoints:\n  research: { read_only: true }\n"])
        let reloader = CatalogReloader(folder: folder.path)
        try reloader.reload()
        #expect(reloader.store.catalog.endpoints["research"]?.tools.count == 2)
        // The endpoints file is not a connector file.
        #expect(reloader.state.snapshot.files.count == 1)
        try folder.write("endpoints.yaml", "endpoints:\n  research: { read_only: true }\n  support: { tags: [support] }\n")
        let added = try reloader.reload()
        #expect(added.toolsChanged && !added.mainListChanged)
        #expect(added.changedEndpoints == ["support"])
        try folder.write("endpoints.yaml", "endpoints:\n  research: { read_only: true }\n  support: [oops]\n")
        let broken = try reloader.reload()
        #expect(broken.problems.count == 1)
        #expect(reloader.store.catalog.endpointDefinitions.map(\.name) == ["research"])
    }
}
