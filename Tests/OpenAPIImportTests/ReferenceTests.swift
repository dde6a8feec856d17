import ConnectorModel
import GatehouseJSON
import Testing
import Yams

@testable import OpenAPIImport

@Suite struct ReferenceTests {
    @Test func referencesToEveryKindOfComponentAreResolved() throws {
        let imported = try Imported(
            document(
                paths: """
                      /orders/{orderId}:
                        put:
                          operationId: replaceOrder
                          parameters:
                            - $ref: '#/components/parameters/OrderId'
                          requestBody:
                            $ref: '#/components/requestBodies/OrderBody'
                    """,
                components: """
                      parameters:
                        OrderId: { name: orderId, in: path, required: true, schema: { $ref: '#/components/schemas/Id' } }
                      requestBodies:
                        OrderBody:
                          required: true
                          content:
                            application/json:
                              schema: { $ref: '#/components/schemas/Order' }
                      schemas:
                        Id: { type: string, format: uuid }
                        Status: { type: string, enum: [open, closed] }
                        Order:
                          type: object
                          required: [status]
                          properties:
                            status: { $ref: '#/components/schemas/Status' }
                            lines: { type: array, items: { $ref: '#/components/schemas/Line' } }
                        Line:
                          type: object
                          properties: { sku: { type: string }, quantity: { type: integer } }
                    """))
        let tool = try imported.tool("replace_order")
        #expect(try tool.parameter("orderId").schema == ["type": "string", "format": "uuid"])
        let status = try tool.parameter("status")
        #expect(status.required && status.schema["enum"] == ["open", "closed"])
        let lines = try tool.parameter("lines")
        #expect(lines.schema["items"]?["properties"]?["quantity"] == ["type": "integer"])
    }

    @Test func allOfIsMergedAndAReferencesOwnDescriptionWins() throws {
        let imported = try Imported(
            document(
                paths: """
                      /tickets:
                        post:
                          operationId: buyTicket
                          requestBody:
                            required: true
                            content:
                              application/json:
                                schema:
                                  allOf:
                                    - $ref: '#/components/schemas/Ticket'
                                    - type: object
                                      required: [email]
                                      properties: { email: { type: string, format: email } }
                    """,
                components: """
                      schemas:
                        Date: { type: string, format: date, description: A calendar date. }
                        Ticket:
                          type: object
                          required: [date]
                          properties:
                            date: { $ref: '#/components/schemas/Date', description: The day of the visit. }
                            kind: { type: string }
                    """))
        let tool = try imported.tool("buy_ticket")
        #expect(Set(tool.parameters.map(\.name)) == ["date", "kind", "email"])
        let date = try tool.parameter("date")
        #expect(date.required)
        #expect(date.schema["description"] == "The day of the visit.")
        #expect(try tool.parameter("email").required)
    }

    @Test func nullableAlternativesBecomeTheirType() throws {
        let imported = try Imported(
            document(
                paths: """
                      /a:
                        post:
                          operationId: a
                          requestBody:
                            content:
                              application/json:
                                schema:
                                  type: object
                                  properties:
                                    nickname: { oneOf: [{ type: string }, { type: "null" }] }
                                    note: { type: [string, "null"] }
                                    shape:
                                      oneOf:
                                        - { type: object, properties: { radius: { type: number } }, required: [radius] }
                                        - { type: object, properties: { side: { type: number } } }
                                    anything: {}
                    """))
        let tool = try imported.tool("a")
        #expect(try tool.parameter("nickname").schema["type"] == "string")
        #expect(try tool.parameter("note").schema["type"] == "string")
        // Objects of either shape: every property, none required.
        let shape = try tool.parameter("shape").schema
        #expect(shape["type"] == "object")
        #expect(shape["properties"]?["radius"] == ["type": "number"] && shape["properties"]?["side"] == ["type": "number"])
        #expect(shape["required"] == nil)
        #expect(tool.parameters.map(\.name).contains("anything") == false)
        #expect(imported.notes.contains { $0.contains("'anything' is left out: its schema declares no type") })
    }

    @Test func openAPI30DocumentsAreConverted() throws {
        let imported = try Imported(
            document(
                paths: """
                      /pets:
                        get:
                          operationId: listPets
                          parameters:
                            - { name: tag, in: query, schema: { type: string, nullable: true } }
                            - { name: limit, in: query, schema: { type: integer, maximum: 100, exclusiveMaximum: true } }
                          responses: { "200": { description: OK } }
                    """, version: "3.0.3"))
        let tool = try imported.tool("list_pets")
        #expect(try tool.parameter("tag").schema["type"] == "string")
        #expect(try tool.parameter("limit").schema["maximum"] == 99)
        #expect(imported.result.yaml.contains("OpenAPI 3.0.3"))
    }

    @Test func jsonDocumentsAreRead() throws {
        let json = """
            {"openapi": "3.1.0", "info": {"title": "JSON API", "version": "2"},
             "servers": [{"url": "https://json.example.com"}],
             "paths": {"/things/{id}": {"get": {"operationId": "getThing", "responses": {"200": {"description": "ok"}},
               "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}]}}}}
            """
        let imported = try Imported(json)
        #expect(imported.connector.name == "json-api")
        #expect(try imported.tool("get_thing").parameter("id").schema["type"] == "integer")
    }
}

@Suite struct CycleTests {
    static let paths = """
          /trees:
            post:
              operationId: plantTree
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { $ref: '#/components/schemas/Node' }
          /people:
            post:
              operationId: addPerson
              requestBody:
                content:
                  application/json:
                    schema: { $ref: '#/components/schemas/Person' }
        """

    static let components = """
          schemas:
            Node:
              type: object
              required: [label]
              properties:
                label: { type: string }
                children: { type: array, items: { $ref: '#/components/schemas/Node' } }
                parent: { $ref: '#/components/schemas/Node', description: The node above. }
            Person:
              type: object
              properties:
                name: { type: string }
                employer: { $ref: '#/components/schemas/Company' }
            Company:
              type: object
              properties:
                title: { type: string }
                staff: { type: array, items: { $ref: '#/components/schemas/Person' } }
        """

    @Test func recursiveSchemasAreExpandedOnceThenCut() throws {
        let imported = try Imported(document(paths: Self.paths, components: Self.components))
        let tree = try imported.tool("plant_tree")
        #expect(tree.parameters.map(\.name) == ["label", "children", "parent"])
        #expect(try tree.parameter("children").schema["items"] == ["type": "object"])
        #expect(try tree.parameter("parent").schema == ["type": "object", "description": "The node above."])

        // Mutual recursion is cut where it closes: Person → Company → Person.
        let person = try imported.tool("add_person")
        let employer = try person.parameter("employer").schema
        #expect(employer["properties"]?["staff"]?["items"] == ["type": "object"])

        #expect(imported.notes.contains { $0.contains("schema 'Node'") && $0.contains("back to 'Node'") })
        #expect(imported.result.yaml.contains("# Recursive schemas are expanded once"))
    }

    @Test func theCycleBreakerLeavesAcyclicDocumentsAlone() throws {
        let text = document(paths: "  /a:\n    get: { operationId: a }", components: "  schemas:\n    A: { type: object, properties: { b: { $ref: '#/components/schemas/B' } } }\n    B: { type: string }")
        let root = NodeJSON.value(try #require(try Yams.compose(yaml: text)))
        var result = root
        let cuts = ReferenceCycleBreaker.breakCycles(in: &result)
        #expect(cuts.isEmpty)
        #expect(result == root)
    }

    /// Sixty schemas, each referring to the two before it: fully inlined,
    /// that is about 2^60 copies, so only a depth limit lets it finish.
    @Test(.timeLimit(.minutes(1))) func longReferenceChainsAreBounded() throws {
        var schemas = "  schemas:\n    S0: { type: object, properties: { id: { type: integer } } }\n"
        schemas += "    S1: { type: object, properties: { a: { $ref: '#/components/schemas/S0' } } }\n"
        for index in 2..<60 {
            schemas += "    S\(index): { type: object, properties: { a: { $ref: '#/components/schemas/S\(index - 1)' }, "
                + "b: { $ref: '#/components/schemas/S\(index - 2)' } } }\n"
        }
        let paths = """
              /chains:
                post:
                  operationId: postChain
                  requestBody:
                    content:
                      application/json:
                        schema: { $ref: '#/components/schemas/S59' }
            """
        let imported = try Imported(document(paths: paths, components: schemas))
        var level = try imported.tool("post_chain").parameter("a").schema
        var depth = 1
        while case .object(let properties)? = level["properties"], let next = properties["a"] {
            level = next
            depth += 1
        }
        #expect(level == ["type": "object"])
        #expect(depth <= SchemaMapper.defaultMaximumDepth)
        #expect(imported.result.yaml.contains("# References nested more than \(SchemaMapper.defaultMaximumDepth) levels deep"))
    }

    @Test func shortReferenceChainsAreLeftAlone() throws {
        let text = document(
            paths: "  /a:\n    get: { operationId: a }",
            components: "  schemas:\n    A: { $ref: '#/components/schemas/B' }\n    B: { $ref: '#/components/schemas/C' }\n    C: { type: string }")
        let root = NodeJSON.value(try #require(try Yams.compose(yaml: text)))
        var result = root
        let cut = ReferenceDepthLimiter.limit(&result, to: 3)
        #expect(!cut && result == root)
        var deeper = root
        let deeperCut = ReferenceDepthLimiter.limit(&deeper, to: 2)
        #expect(deeperCut && deeper != root)
    }

    @Test func referenceNamesAreUnescaped() {
        #expect(ReferenceCycleBreaker.targetName("#/components/schemas/Pet") == "Pet")
        #expect(ReferenceCycleBreaker.targetName("#/components/schemas/a~1b~0c") == "a/b~c")
        #expect(ReferenceCycleBreaker.targetName("#/components/schemas/My%20Type/properties/x") == "My Type")
        #expect(ReferenceCycleBreaker.targetName("#/components/parameters/Id") == nil)
    }

    @Test func deeplyNestedObjectsAreCutToAPlainObject() throws {
        // Ten levels of objects, each holding the next.
        var schema = "{ type: string }"
        for level in (0..<10).reversed() { schema = "{ type: object, properties: { l\(level): \(schema) } }" }
        let imported = try Imported(
            document(
                paths: """
                      /deep:
                        post:
                          operationId: deep
                          requestBody:
                            content:
                              application/json:
                                schema: \(schema)
                    """))
        var level = try imported.tool("deep").parameter("l0").schema
        var depth = 1
        while case .object(let properties)? = level["properties"], let next = properties.values.first {
            level = next
            depth += 1
        }
        #expect(level == ["type": "object"])
        #expect(depth == SchemaMapper.defaultMaximumDepth)
    }
}
