import Foundation
import GatehouseJSON
import GatehouseTesting
import Testing

@testable import ConnectorModel

// Tools whose arguments are written as a JSON Schema (`input_schema:`).

private func decode(_ yaml: String) -> ConnectorDecoder.Result {
    ConnectorDecoder(secrets: TestSecrets()).decode(yaml: yaml, file: "f.yaml")
}

private func diagnostics(_ yaml: String) -> [String] {
    decode(yaml).diagnostics.map(\.description)
}

private func decodeTool(_ yaml: String) throws -> ToolDefinition {
    let result = decode(yaml)
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description))")
    return try #require(result.connector?.tools.first)
}

/// A connector with one tool; `lines` are the tool's keys after `path`,
/// indented as tool keys (four spaces). Line 8 is the first of them.
private func tool(method: String = "POST", path: String = "/boards/{board}/shapes", _ lines: String) -> String {
    ConnectorText.oneTool(lines, method: method, path: path)
}

private extension ToolDefinition {
    func parameter(_ name: String) throws -> Parameter {
        try #require(parameters.first { $0.name == name })
    }
}

/// Shapes on a board: `$defs` with an `$anchor`, `oneOf`, `if`/`then`, and
/// arguments in the path, the body, a header and the query.
private let shapes = tool(
    """
        input_schema:
          $schema: https://json-schema.org/draft/2020-12/schema
          type: object
          $defs:
            point:
              $anchor: point
              type: object
              properties: { x: { type: number }, y: { type: number } }
              required: [x, y]
              additionalProperties: false
          properties:
            board: { type: string, pattern: "^[a-z]+$" }
            shape:
              oneOf:
                - type: object
                  properties: { kind: { const: circle }, center: { $ref: "#point" }, radius: { type: number, exclusiveMinimum: 0 } }
                  required: [kind, center, radius]
                  additionalProperties: false
                - type: object
                  properties: { kind: { const: polygon }, points: { type: array, items: { $ref: "#/$defs/point" }, minItems: 3 } }
                  required: [kind, points]
                  additionalProperties: false
            trace: { type: string }
            dry_run: { type: boolean, default: false }
          required: [board, shape]
          additionalProperties: false
          if: { properties: { dry_run: { const: true } }, required: [dry_run] }
          then: { not: { required: [trace] } }
        parameters:
          trace: { in: header, as: X-Trace-Id }
          dry_run: { in: query }
    """)

// MARK: - Accepted

@Test func inputSchemaIsPublishedAsWritten() throws {
    let definition = try decodeTool(shapes)
    let source = definition.inputSchema.source
    #expect(source["$schema"] == "https://json-schema.org/draft/2020-12/schema")
    #expect(source["$defs"]?["point"]?["$anchor"] == "point")
    #expect(source["properties"]?["shape"]?["oneOf"]?.arrayValue?[1]["properties"]?["points"]?["items"] == ["$ref": "#/$defs/point"])
    #expect(source["then"] == ["not": ["required": ["trace"]]])
    // Keys keep the order they were written in.
    #expect(source.objectValue.map { Array($0.keys) } == [
        "$schema", "type", "$defs", "properties", "required", "additionalProperties", "if", "then",
    ])
}

@Test func inputSchemaPropertiesBecomePlacedParameters() throws {
    let definition = try decodeTool(shapes)
    #expect(definition.parameters.map(\.name) == ["board", "shape", "trace", "dry_run"])
    let board = try definition.parameter("board")
    #expect(board.location == .path)
    #expect(board.required)
    #expect(board.schema == ["type": "string", "pattern": "^[a-z]+$"])
    let shape = try definition.parameter("shape")
    #expect(shape.location == .body)
    #expect(shape.required)
    let trace = try definition.parameter("trace")
    #expect(trace.location == .header)
    #expect(trace.upstreamName == "X-Trace-Id")
    #expect(!trace.required)
    let dryRun = try definition.parameter("dry_run")
    #expect(dryRun.location == .query)
    #expect(dryRun.defaultValue == false)
}

@Test func unlistedPropertiesGoToTheQueryForGETAndDELETE() throws {
    for method in ["GET", "DELETE"] {
        let definition = try decodeTool(
            tool(
                method: method, path: "/items/{id}",
                """
                    input_schema:
                      type: object
                      properties: { id: { type: integer }, tags: { type: array, items: { type: string } } }
                      required: [id]
                      additionalProperties: false
                    parameters:
                      tags: { explode: false }
                """))
        #expect(try definition.parameter("id").location == .path)
        #expect(try definition.parameter("tags").location == .query)
        #expect(try definition.parameter("tags").explode == false)
    }
}

@Test func inputSchemaPropertiesFeedTemplates() throws {
    let definition = try decodeTool(
        tool(
            path: "/items",
            """
                input_schema:
                  type: object
                  properties:
                    title: { type: string }
                    labels: { type: array, items: { $ref: "#/$defs/label" } }
                    term: { type: string }
                  required: [title]
                  additionalProperties: false
                  $defs: { label: { type: string, maxLength: 20 } }
                parameters:
                  term: { in: query }
                body:
                  fields: { title: "{{ title }}", labels: "{{ labels }}" }
                headers: { X-Term: "{{ term }}" }
            """))
    #expect(definition.body != nil)
    #expect(definition.headers.map(\.name) == ["X-Term"])
}

@Test func inputSchemaWithoutSchemaKeywordOrWithTrailingHash() throws {
    let without = try decodeTool(
        tool(
            path: "/a",
            """
                input_schema: { type: object, properties: {}, additionalProperties: false }
            """))
    #expect(without.parameters.isEmpty)
    #expect(without.inputSchema.source["$schema"] == nil)
    let hashed = try decodeTool(
        tool(
            path: "/a",
            """
                input_schema:
                  $schema: "https://json-schema.org/draft/2020-12/schema#"
                  type: object
                  properties: { a: { type: string } }
                  additionalProperties: false
            """))
    #expect(hashed.inputSchema.source["$schema"] == "https://json-schema.org/draft/2020-12/schema#")
}

// MARK: - Refused, each at its line and column

@Test func inputSchemaMustBeAnObjectSchema() {
    #expect(diagnostics(tool(path: "/a", "    input_schema: 5")) == [
        "f.yaml:8:19: input_schema must be a mapping: a JSON Schema with type: object"
    ])
    #expect(
        diagnostics(
            tool(
                path: "/a",
                """
                    input_schema:
                      type: [object, "null"]
                      properties: {}
                """)) == [
            "f.yaml:9:7: input_schema must set additionalProperties: false: an argument not named in its properties would have no place in the request",
            "f.yaml:9:13: input_schema must have type: object (tool arguments are an object)",
        ])
    #expect(
        diagnostics(
            tool(
                path: "/a",
                """
                    input_schema:
                      additionalProperties: true
                """)) == [
            "f.yaml:9:7: input_schema must have type: object (tool arguments are an object)",
            "f.yaml:9:7: input_schema needs properties: a mapping with one schema for each argument",
            "f.yaml:9:29: input_schema must set additionalProperties: false: an argument not named in its properties would have no place in the request",
        ])
    #expect(
        diagnostics(
            tool(
                path: "/a",
                """
                    input_schema:
                      type: object
                      properties: [a]
                      patternProperties: { "^x-": { type: string } }
                      additionalProperties: false
                """)) == [
            "f.yaml:10:19: input_schema needs properties: a mapping with one schema for each argument",
            "f.yaml:11:26: input_schema must not have patternProperties at the top: each argument needs a name of its own in properties",
        ])
}

@Test func inputSchemaDialectMustBe2020() {
    #expect(
        diagnostics(
            tool(
                path: "/a",
                """
                    input_schema:
                      $schema: http://json-schema.org/draft-07/schema#
                      type: object
                      properties: {}
                      additionalProperties: false
                """)) == [
            "f.yaml:9:16: input_schema's $schema must be https://json-schema.org/draft/2020-12/schema, the dialect arguments are validated with"
        ])
}

@Test func inputSchemaCompileErrorsPointAtTheOffendingNode() {
    #expect(
        diagnostics(
            tool(
                path: "/a",
                """
                    input_schema:
                      type: object
                      properties:
                        q: { type: string, pattern: "([a-" }
                        r:
                          $ref: https://schemas.example.com/r.json
                      additionalProperties: false
                """)) == [
            "f.yaml:11:37: invalid input_schema: schema at /properties/q/pattern: invalid regular expression ([a-"
        ])
    #expect(
        diagnostics(
            tool(
                path: "/a",
                """
                    input_schema:
                      type: object
                      properties:
                        r:
                          $ref: https://schemas.example.com/r.json
                      additionalProperties: false
                """)) == [
            "f.yaml:12:17: invalid input_schema: schema at /properties/r/$ref: remote $ref is not supported: https://schemas.example.com/r.json"
        ])
    #expect(
        diagnostics(
            tool(
                path: "/a",
                """
                    input_schema:
                      type: object
                      properties:
                        r: { $ref: "#nowhere" }
                      additionalProperties: false
                """)) == [
            "f.yaml:11:20: invalid input_schema: schema at /properties/r/$ref: $ref #nowhere names no $anchor of this schema (or use a JSON pointer such as #/$defs/name)"
        ])
    #expect(
        diagnostics(
            tool(
                path: "/a",
                """
                    input_schema:
                      type: object
                      properties:
                        r:
                          items: { unevaluatedProperties: false }
                      additionalProperties: false
                """)) == [
            "f.yaml:12:43: invalid input_schema: schema at /properties/r/items/unevaluatedProperties: unevaluatedProperties is not supported; close the schema with additionalProperties instead"
        ])
}

@Test func unquotedRefGetsAHint() {
    #expect(
        diagnostics(
            tool(
                path: "/a",
                """
                    input_schema:
                      type: object
                      properties:
                        r:
                          $ref: #/$defs/r
                      additionalProperties: false
                      $defs: { r: { type: string } }
                """)) == [
            "f.yaml:12:16: invalid input_schema: schema at /properties/r/$ref: $ref must be a string (quote it: in YAML a # after a space starts a comment)"
        ])
}

@Test func pathPlaceholdersNeedRequiredProperties() {
    #expect(
        diagnostics(
            tool(
                path: "/boards/{board}/shapes/{shape}",
                """
                    input_schema:
                      type: object
                      properties: { board: { type: string } }
                      additionalProperties: false
                """)) == [
            "f.yaml:7:11: path placeholder {board} needs 'board' in input_schema's required list",
            "f.yaml:7:11: path placeholder {shape} needs a property 'shape' in input_schema",
        ])
}

@Test func parametersOnlyPlaceArguments() {
    #expect(
        diagnostics(
            tool(
                path: "/a",
                """
                    input_schema:
                      type: object
                      properties: { q: { type: string }, n: { type: integer }, s: { type: string } }
                      additionalProperties: false
                    parameters:
                      q: { in: query, type: string, required: true }
                      n: integer
                      s: { inn: query }
                      missing: { in: query }
                """)) == [
            "f.yaml:13:23: 'type' of parameter 'q' belongs in input_schema: declare it in input_schema",
            "f.yaml:13:37: 'required' of parameter 'q' belongs in input_schema: declare it in input_schema",
            "f.yaml:14:10: parameter 'n' may only say where the argument goes (in, as, explode); declare its schema in input_schema",
            "f.yaml:15:12: unknown key 'inn' in parameter 's'; did you mean 'in'?",
            "f.yaml:16:7: parameter 'missing' is not a property of input_schema; declare it there first",
        ])
}

@Test func placementsAreCheckedAsForParameters() {
    #expect(
        diagnostics(
            tool(
                method: "GET", path: "/boards/{board}",
                """
                    input_schema:
                      type: object
                      properties:
                        board: { type: string }
                        filter: { type: object }
                        page: { type: integer }
                        trace: { type: string }
                        size: { type: integer }
                      required: [board]
                      additionalProperties: false
                    parameters:
                      board: { in: query }
                      page: { in: body }
                      trace: { in: header, as: "X Trace" }
                      size: { in: path }
                """)) == [
            "f.yaml:12:9: parameter 'filter' of type object can only go in the body",
            "f.yaml:19:7: parameter 'size' is in: path but the path has no {size}",
            "f.yaml:19:7: GET requests carry no body; use in: query for 't'",
            "f.yaml:19:20: parameter 'board' appears in the path as {board}, so it must be in: path",
            "f.yaml:21:32: 'X Trace' is not a valid HTTP header name",
        ])
}

@Test func propertyDefaultsMustFitTheirSchema() {
    #expect(
        diagnostics(
            tool(
                path: "/a",
                """
                    input_schema:
                      type: object
                      $defs: { size: { type: integer, minimum: 1 } }
                      properties:
                        size: { $ref: "#/$defs/size", default: 0 }
                        mode: { enum: [fast, slow], default: medium }
                      additionalProperties: false
                """)) == [
            "f.yaml:12:48: default of property 'size' does not fit its schema: arguments: must be at least 1",
            "f.yaml:13:46: default of property 'mode' does not fit its schema: arguments: must be one of: fast, slow",
        ])
}

@Test func propertyNamesFollowTheParameterNameRule() {
    #expect(
        diagnostics(
            tool(
                path: "/a",
                """
                    input_schema:
                      type: object
                      properties: { "page size": { type: integer } }
                      additionalProperties: false
                """)) == [
            "f.yaml:10:21: property name 'page size' must be 1-64 characters of letters, digits, '_', '-' and '.' (it names an argument)"
        ])
}

@Test func bodyTemplatesAndPlaceholdersSeeTheProperties() {
    #expect(
        diagnostics(
            tool(
                path: "/a",
                """
                    input_schema:
                      type: object
                      properties: { title: { type: string }, note: { type: string } }
                      additionalProperties: false
                    body: { title: "{{ title }}" }
                    headers: { X-Who: "{{ author }}" }
                """)) == [
            "f.yaml:12:11: parameter 'note' goes in the body but the body template does not use {{ note }}",
            "f.yaml:13:23: placeholder {{ author }} names no parameter of this tool",
        ])
}
