import ConnectorModel
import GatehouseJSON
import Testing

@testable import OpenAPIImport

@Suite struct ResponseMappingTests {
    static let paths = """
          /pets/{id}:
            get:
              operationId: getPet
              parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
              responses:
                '200':
                  description: The pet.
                  content:
                    application/json:
                      schema: { $ref: '#/components/schemas/Pet' }
                '404': { description: Not found. }
          /pets:
            get:
              operationId: listPets
              responses:
                '200':
                  description: Every pet.
                  content:
                    application/json:
                      schema: { type: array, items: { $ref: '#/components/schemas/Pet' } }
        """
    static let components = """
          schemas:
            Pet:
              type: object
              required: [id, name]
              properties:
                id: { type: integer }
                name: { type: string }
        """

    @Test func anObjectAnswerBecomesALenientOutputSchema() throws {
        let imported = try Imported(document(paths: Self.paths, components: Self.components))
        let pet = try imported.tool("get_pet")
        let schema = try #require(pet.response.outputSchema)
        #expect(schema.source["required"] == ["id", "name"])
        #expect(schema.validate(["id": 1, "name": "Rex"]).isEmpty)
        #expect(!pet.response.strictOutputSchema)
        #expect(imported.result.yaml.contains("output_schema:"))
        // A list cannot be structured content: no output_schema.
        #expect(try imported.tool("list_pets").response.outputSchema == nil)
    }

    @Test func aVeryLargeAnswerSchemaIsLeftOutWithANote() throws {
        let properties = (0..<600).map { "        field_\($0): { type: string, description: A field with a long description \($0). }" }
            .joined(separator: "\n")
        let imported = try Imported(document(
            paths: """
                  /big:
                    get:
                      operationId: getBig
                      responses:
                        '200':
                          description: Big.
                          content:
                            application/json:
                              schema: { $ref: '#/components/schemas/Big' }
                """,
            components: "  schemas:\n    Big:\n      type: object\n      properties:\n" + properties))
        #expect(try imported.tool("get_big").response.outputSchema == nil)
        #expect(imported.notes.contains { $0.contains("output_schema left out: the response schema is larger than 16 KiB") })
    }
}
