import ConnectorModel
import GatehouseJSON
import Testing

@testable import OpenAPIImport

@Suite struct ParameterMappingTests {
    @Test func pathQueryAndHeaderParameters() throws {
        let imported = try Imported(
            document(
                paths: """
                      /pets/{petId}/visits:
                        get:
                          operationId: listVisits
                          summary: List visits
                          description: Visits of one pet, newest first.
                          parameters:
                            - { name: petId, in: path, required: true, description: The pet, schema: { type: integer, minimum: 1 } }
                            - name: limit
                              in: query
                              schema: { type: integer, minimum: 1, maximum: 100, default: 20 }
                            - name: kind
                              in: query
                              required: true
                              schema: { type: string, enum: [checkup, surgery] }
                            - { name: tag, in: query, explode: false, schema: { type: array, items: { type: string } } }
                            - { name: X-Trace-Id, in: header, schema: { type: string, pattern: "^[a-f0-9]+$" } }
                            - { name: "page[size]", in: query, schema: { type: integer } }
                    """))
        let tool = try imported.tool("list_visits")
        #expect(tool.title == "List visits")
        #expect(tool.description == "Visits of one pet, newest first.")
        #expect(tool.method == .GET)
        #expect(tool.path.source == "/pets/{petId}/visits")
        #expect(tool.parameters.map(\.name) == ["petId", "limit", "kind", "tag", "X-Trace-Id", "page_size_"])

        let petId = try tool.parameter("petId")
        #expect(petId.location == .path && petId.required)
        #expect(petId.schema == ["type": "integer", "minimum": 1, "description": "The pet"])

        let limit = try tool.parameter("limit")
        #expect(limit.location == .query && !limit.required)
        #expect(limit.defaultValue == nil, "the API's default is not sent for the caller")
        #expect(limit.schema["description"] == "The API defaults to `20`.")
        #expect(limit.schema["maximum"] == 100)

        let kind = try tool.parameter("kind")
        #expect(kind.required)
        #expect(kind.schema["enum"] == ["checkup", "surgery"])

        let tag = try tool.parameter("tag")
        #expect(!tag.explode)
        #expect(tag.schema["items"] == ["type": "string"])

        let trace = try tool.parameter("X-Trace-Id")
        #expect(trace.location == .header)
        #expect(trace.schema["pattern"] == "^[a-f0-9]+$")

        // A name the format does not allow keeps its upstream name in `as:`.
        let size = try tool.parameter("page_size_")
        #expect(size.upstreamName == "page[size]")
    }

    @Test func queryParametersOfABodyMethodSayWhereTheyGo() throws {
        let imported = try Imported(
            document(
                paths: """
                      /jobs:
                        post:
                          operationId: startJob
                          parameters:
                            - { name: dryRun, in: query, schema: { type: boolean } }
                    """))
        let dryRun = try imported.tool("start_job").parameter("dryRun")
        #expect(dryRun.location == .query)
        #expect(imported.result.yaml.contains("dryRun: { type: boolean, in: query }"))
    }

    @Test func pathLevelParametersApplyToEveryOperation() throws {
        let imported = try Imported(
            document(
                paths: """
                      /orders/{orderId}:
                        parameters:
                          - { name: orderId, in: path, required: true, schema: { type: string } }
                        get: { operationId: getOrder }
                        delete: { operationId: cancelOrder }
                    """))
        #expect(try imported.tool("get_order").parameter("orderId").location == .path)
        #expect(try imported.tool("cancel_order").parameter("orderId").location == .path)
    }

    @Test func unsupportedOptionalParametersAreLeftOutWithANote() throws {
        let imported = try Imported(
            document(
                paths: """
                      /things:
                        get:
                          operationId: listThings
                          parameters:
                            - { name: session, in: cookie, schema: { type: string } }
                            - { name: filter, in: query, schema: { type: object, properties: { a: { type: string } } } }
                            - { name: ids, in: query, style: pipeDelimited, schema: { type: array, items: { type: string } } }
                            - { name: where, in: query, content: { application/json: { schema: { type: object } } } }
                            - { name: Accept, in: header, schema: { type: string } }
                            - { name: either, in: query, schema: { oneOf: [{ type: string }, { type: integer }] } }
                            - { name: q, in: query, schema: { type: string } }
                    """))
        let tool = try imported.tool("list_things")
        // A value that is a string or an integer travels as text.
        #expect(tool.parameters.map(\.name) == ["either", "q"])
        #expect(try tool.parameter("either").schema["type"] == "string")
        let notes = imported.notes.joined(separator: "\n")
        for name in ["session", "filter", "ids", "where", "Accept", "either"] {
            #expect(notes.contains("'\(name)'"), "no note for \(name): \(notes)")
        }
        #expect(notes.contains("cookie parameters are not supported"))
        #expect(notes.contains("parameter 'either': a value that may be integer or string is taken as a string"))
        // The notes are in the file too, above the tool.
        #expect(imported.result.yaml.contains("# - the optional cookie parameter 'session' is left out"))
    }

    @Test func anOperationWithARequiredUnsupportedParameterIsSkipped() throws {
        let imported = try Imported(
            document(
                paths: """
                      /a:
                        get:
                          operationId: needsCookie
                          parameters:
                            - { name: session, in: cookie, required: true, schema: { type: string } }
                      /b:
                        get: { operationId: fine }
                    """))
        #expect(imported.toolNames == ["fine"])
        #expect(imported.result.skippedCount == 1)
        #expect(imported.result.yaml.contains("# Skipped needsCookie (GET /a): its required cookie parameter 'session'"))
    }

    @Test func placeholdersAreRenamedWhenTheirNamesCannotBeUsed() throws {
        let imported = try Imported(
            document(
                paths: """
                      /users/{user.sub}/files/{file name}:
                        get:
                          operationId: getFile
                          parameters:
                            - { name: user.sub, in: path, required: true, schema: { type: string } }
                            - { name: file name, in: path, required: true, schema: { type: string } }
                            - { name: user.sub, in: query, schema: { type: string } }
                    """))
        let tool = try imported.tool("get_file")
        // `{user.sub}` would otherwise insert the signed-in caller.
        #expect(tool.path.source == "/users/{user_sub}/files/{file_name}")
        #expect(tool.path.parameterNames == ["user_sub", "file_name"])
        let query = try tool.parameter("query_user_sub")
        #expect(query.location == .query && query.upstreamName == "user.sub")
    }

    @Test func undeclaredPathPlaceholdersBecomeStrings() throws {
        let imported = try Imported(document(paths: "  /items/{itemId}:\n    get: { operationId: getItem }"))
        let itemId = try imported.tool("get_item").parameter("itemId")
        #expect(itemId.location == .path && itemId.schema["type"] == "string")
        #expect(imported.notes.contains { $0.contains("'itemId' is not declared") })
    }

    @Test func defaultsAndEnumValuesThatDoNotFitAreDropped() throws {
        let imported = try Imported(
            document(
                paths: """
                      /a:
                        get:
                          operationId: a
                          parameters:
                            - { name: n, in: query, schema: { type: integer, minimum: 1, default: 0 } }
                            - { name: s, in: query, schema: { type: string, enum: [a, "b", 3], default: x } }
                            - { name: code, in: query, schema: { type: string, enum: ["200", "404"] } }
                            - { name: exclusive, in: query, schema: { type: integer, exclusiveMinimum: 0, exclusiveMaximum: 10 } }
                            - { name: huge, in: query, schema: { type: integer, exclusiveMinimum: 9223372036854775807 } }
                            - { name: long, in: query, schema: { type: string, maxLength: 9999999999 } }
                    """))
        let tool = try imported.tool("a")
        #expect(try tool.parameter("n").defaultValue == nil)
        let s = try tool.parameter("s")
        #expect(s.schema["enum"] == ["a", "b", "3"])
        #expect(s.defaultValue == nil)
        #expect(try tool.parameter("code").schema["enum"] == ["200", "404"])
        let exclusive = try tool.parameter("exclusive")
        #expect(exclusive.schema["minimum"] == 1 && exclusive.schema["maximum"] == 9)
        // Bounds past what the format holds are no bounds, not a crash.
        #expect(try tool.parameter("huge").schema == ["type": "integer"])
        #expect(try tool.parameter("long").schema == ["type": "string"])
    }

    @Test func patternsTheGatewayCannotRunAreDropped() throws {
        let imported = try Imported(
            document(
                paths: """
                      /a:
                        get:
                          operationId: a
                          parameters:
                            - { name: p, in: query, schema: { type: string, pattern: "([a-z]+" } }
                    """))
        #expect(try imported.tool("a").parameter("p").schema["pattern"] == nil)
        #expect(imported.notes.contains { $0.contains("pattern ([a-z]+ is left out") })
    }
}
