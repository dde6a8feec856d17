import ConnectorModel
import GatehouseJSON
import Testing

@testable import OpenAPIImport

/// `pagination:` is written where the document makes the paging clear, in
/// the shapes real APIs use, and nowhere else.
@Suite struct PaginationImportTests {
    static func list(_ path: String, parameters: String, answer: String, headers: String = "") -> String {
        """
              \(path):
                get:
                  operationId: list
                  parameters: \(parameters)
                  responses:
                    '200':
                      description: A page.
        \(headers)
                      content:
                        application/json:
                          schema: \(answer)
        """
    }

    static func imported(_ paths: String) throws -> (Imported, ToolDefinition) {
        let imported = try Imported(document(paths: paths))
        return (imported, try imported.tool("list"))
    }

    @Test func aLinkHeaderMakesLinkPagingWithTheSizeParameter() throws {
        // GitHub: a bare array, page and per_page, and a declared Link header.
        let (imported, tool) = try Self.imported(Self.list(
            "/repos", parameters: "[{ name: per_page, in: query, schema: { type: integer, maximum: 100 } }, { name: page, in: query, schema: { type: integer } }]",
            answer: "{ type: array, items: { type: object } }",
            headers: "              headers: { Link: { schema: { type: string } } }"))
        let pagination = try #require(tool.pagination)
        #expect(pagination.style == .link)
        #expect(pagination.items.isEmpty)
        #expect(pagination.sizeParameter == "per_page" && pagination.size == 50)
        #expect(tool.parameters.map(\.name) == ["page"], "the size is the gateway's to set")
        #expect(tool.inputSchema.source["properties"]?["cursor"] != nil)
        #expect(imported.result.yaml.contains("pagination:"))
    }

    @Test func aCursorParameterAndANextCursorFieldMakeCursorPaging() throws {
        // Kubernetes: continue and limit, metadata.continue in the answer.
        let (_, tool) = try Self.imported(Self.list(
            "/pods", parameters: "[{ name: continue, in: query, schema: { type: string } }, { name: limit, in: query, schema: { type: integer } }, { name: labelSelector, in: query, schema: { type: string } }]",
            answer: "{ type: object, properties: { items: { type: array, items: { type: object } }, metadata: { type: object, properties: { continue: { type: string } } } } }"))
        let pagination = try #require(tool.pagination)
        #expect(pagination.style == .cursor)
        #expect(pagination.param == "continue" && pagination.next == ["metadata", "continue"] && pagination.items == ["items"])
        #expect(pagination.sizeParameter == "limit")
        #expect(tool.parameters.map(\.name) == ["labelSelector"])
    }

    @Test func aCursorEchoedInTheNextPageObjectIsFollowed() throws {
        // Asana: an opaque offset token, echoed as next_page.offset.
        let (_, tool) = try Self.imported(Self.list(
            "/tasks", parameters: "[{ name: offset, in: query, schema: { type: string } }, { name: limit, in: query, schema: { type: integer, maximum: 100 } }]",
            answer: "{ type: object, properties: { data: { type: array, items: { type: object } }, next_page: { type: object, properties: { offset: { type: string }, uri: { type: string } } } } }"))
        let pagination = try #require(tool.pagination)
        #expect(pagination.style == .cursor && pagination.param == "offset" && pagination.next == ["next_page", "offset"])
        #expect(pagination.items == ["data"])
    }

    @Test func pageNumbersAndOffsetsNeedASizeToo() throws {
        let (_, paged) = try Self.imported(Self.list(
            "/droplets", parameters: "[{ name: page, in: query, schema: { type: integer, minimum: 1 } }, { name: per_page, in: query, schema: { type: integer } }]",
            answer: "{ type: object, properties: { droplets: { type: array, items: { type: object } }, links: { type: object } } }"))
        #expect(paged.pagination?.style == .page && paged.pagination?.param == "page" && paged.pagination?.items == ["droplets"])
        #expect(paged.pagination?.first == 1)
        let (_, offset) = try Self.imported(Self.list(
            "/events", parameters: "[{ name: offset, in: query, schema: { type: integer, minimum: 0 } }, { name: limit, in: query, schema: { type: integer } }]",
            answer: "{ type: object, properties: { events: { type: array, items: { type: object } } } }"))
        #expect(offset.pagination?.style == .offset && offset.pagination?.param == "offset" && offset.pagination?.sizeParameter == "limit")
        #expect(offset.parameters.isEmpty)
    }

    @Test func anythingLessClearIsLeftToTheAuthor() throws {
        let unclear = [
            // A page number but no size.
            Self.list("/a", parameters: "[{ name: page, in: query, schema: { type: integer } }]", answer: "{ type: array, items: { type: object } }"),
            // A cursor parameter but nothing in the answer that names the next one.
            Self.list(
                "/b", parameters: "[{ name: after, in: query, schema: { type: string } }]",
                answer: "{ type: object, properties: { data: { type: array, items: { type: object } }, has_more: { type: boolean } } }"),
            // Sizes and offsets, but no list in the answer.
            Self.list(
                "/c", parameters: "[{ name: offset, in: query, schema: { type: integer } }, { name: limit, in: query, schema: { type: integer } }]",
                answer: "{ type: object, properties: { total: { type: integer } } }"),
            // Two lists and neither has a usual name.
            Self.list(
                "/d", parameters: "[{ name: offset, in: query, schema: { type: integer } }, { name: limit, in: query, schema: { type: integer } }]",
                answer: "{ type: object, properties: { cats: { type: array }, dogs: { type: array } } }"),
        ]
        for paths in unclear {
            let (_, tool) = try Self.imported(paths)
            #expect(tool.pagination == nil, "\(paths)")
        }
    }

    @Test func anOperationWithItsOwnCursorArgumentKeepsItAndSaysWhy() throws {
        let (imported, tool) = try Self.imported(Self.list(
            "/logs", parameters: "[{ name: offset, in: query, schema: { type: integer } }, { name: limit, in: query, schema: { type: integer } }, { name: cursor, in: query, schema: { type: integer } }]",
            answer: "{ type: array, items: { type: object } }"))
        #expect(tool.pagination == nil)
        #expect(tool.parameters.map(\.name).contains("cursor"))
        #expect(imported.notes.contains { $0.contains("pagination left out: the operation has a parameter named 'cursor'") })
    }
}
