import ConnectorModel
import GatehouseJSON
import Testing

@testable import OpenAPIImport

/// What real documents get wrong in places the import may never use does
/// not stop the import: JSON is read as JSON, numbers beyond 64 bits are
/// clamped, and 3.0-style bounds in a 3.1 document are converted.
@Suite struct TolerantReadingTests {
    @Test func jsonIsReadAsJSONSurrogatePairsAndAll() throws {
        // Twilio's JSON spells emoji as surrogate-pair escapes.
        let json = #"""
            {"openapi": "3.0.1", "info": {"title": "Chat \ud83d\udc4d", "version": "1"},
             "servers": [{"url": "https://api.example.com"}],
             "paths": {"/reactions": {"get": {"operationId": "listReactions",
               "description": "Lists \ud83d\udc4d reactions.",
               "parameters": [{"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["yes", "no", "1.0"]}}],
               "responses": {"200": {"description": "ok"}}}}}}
            """#
        let imported = try Imported(json)
        let tool = try imported.tool("list_reactions")
        #expect(tool.description == "Lists 👍 reactions.")
        #expect(try tool.parameter("kind").schema["enum"] == ["yes", "no", "1.0"], "strings that look like YAML booleans stay strings")
        #expect(imported.result.yaml.contains("Chat 👍"))
    }

    @Test func integersBeyondSixtyFourBitsAreClampedWithANote() throws {
        for text in [
            // JSON, as JavaScript writes 2^63.
            #"""
            {"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "servers": [{"url": "https://api.example.com"}],
             "paths": {"/n": {"get": {"operationId": "getN",
               "parameters": [{"name": "n", "in": "query", "schema": {"type": "integer", "maximum": 9223372036854776000}}],
               "responses": {"200": {"description": "ok"}}}}}}
            """#,
            document(paths: """
                  /n:
                    get:
                      operationId: getN
                      parameters: [{ name: n, in: query, schema: { type: integer, maximum: 99999999999999999999 } }]
                      responses: { '200': { description: ok } }
                """),
        ] {
            let imported = try Imported(text)
            #expect(try imported.tool("get_n").parameter("n").schema["maximum"] == .int(Int64.max))
            #expect(imported.notes.contains("document: 1 integer beyond 64 bits were clamped to the 64-bit range"))
        }
    }

    @Test func booleanExclusiveBoundsInA31DocumentBecomeNumeric() throws {
        let imported = try Imported(document(paths: """
              /n:
                get:
                  operationId: getN
                  parameters:
                    - { name: above, in: query, schema: { type: integer, minimum: 0, exclusiveMinimum: true } }
                    - { name: upTo, in: query, schema: { type: number, maximum: 10, exclusiveMaximum: false } }
                  responses: { '200': { description: ok } }
            """))
        let tool = try imported.tool("get_n")
        #expect(tool.inputSchema.validate(["above": 0]).isEmpty == false, "0 is excluded")
        #expect(tool.inputSchema.validate(["above": 1]).isEmpty)
        #expect(tool.inputSchema.validate(["upTo": 10]).isEmpty, "10 is allowed")
        #expect(imported.notes.contains { $0.contains("2 OpenAPI 3.0-style boolean exclusiveMinimum/exclusiveMaximum") })
    }

    @Test func brokenJSONSaysWhere() {
        let error = importError(#"{"openapi": "3.1.0", "info": {"#)
        #expect(error?.message.hasPrefix("the document starts like JSON but is not valid JSON:") == true)
    }
}
