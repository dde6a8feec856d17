import Caller
import ConnectorModel
import GatehouseJSON
import GatehouseTesting
import Testing

@testable import Upstream

// Calls to tools whose arguments are declared with `input_schema:`: what is
// refused before any request, and where each argument lands when it is not.

/// Shapes on a board: `$defs` reached by pointer and by `$anchor`, `oneOf`,
/// `anyOf`, `if`/`then`, and arguments placed in the path, body, query and a header.
private func shapesTool(_ extra: String = "") throws -> DecodedTool {
    try decodeTool(
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
                origin: { $ref: "#point" }
                color:
                  anyOf:
                    - { type: string, pattern: "^#[0-9a-f]{6}$" }
                    - { enum: [red, green, blue] }
                layer: { type: integer, minimum: 0, default: 1 }
                dry_run: { type: boolean }
                trace: { type: string }
                tags: { type: array, items: { type: string } }
              required: [board, shape]
              additionalProperties: false
              if: { properties: { dry_run: { const: true } }, required: [dry_run] }
              then: { required: [trace] }
            parameters:
              trace: { in: header, as: X-Trace-Id }
              dry_run: { in: query }
              tags: { in: query, explode: false }
              layer: { in: query, as: z-index }
        \(extra)
        """, method: "POST", path: "/boards/{board}/shapes")
}

private let circle: JSONValue = ["kind": "circle", "center": ["x": 1, "y": 2.5], "radius": 3]

private let created = UpstreamResponse(status: 201, reason: "Created", contentType: "application/json", body: Array(#"{"id":1}"#.utf8))

private func call(_ decoded: DecodedTool, _ arguments: JSONObject) async -> (ToolInvoker.Outcome, [UpstreamRequest]) {
    let client = ScriptedUpstream(.respond(created))
    let outcome = await ToolInvoker(client: client).call(decoded, arguments)
    return (outcome, client.requests)
}

/// The error text of a refused call, which must not have reached the upstream.
private func refusal(_ decoded: DecodedTool, _ arguments: JSONObject) async -> String? {
    let (outcome, requests) = await call(decoded, arguments)
    #expect(requests.isEmpty)
    #expect(outcome.kind == .invalidArguments)
    return outcome.result.isError ? outcome.result.firstText : nil
}

// MARK: - Validation before any request

@Test func validCallWithOneOfAnyOfAndIfThenReachesTheUpstream() async throws {
    let decoded = try shapesTool()
    let (outcome, requests) = await call(
        decoded, ["board": "main", "shape": circle, "color": "#00ff00", "dry_run": true, "trace": "abc"])
    #expect(!outcome.result.isError, "\(outcome.result.firstText ?? "")")
    #expect(requests.count == 1)
    let polygon: JSONValue = ["kind": "polygon", "points": [["x": 0, "y": 0], ["x": 1, "y": 0], ["x": 0, "y": 1]]]
    let (second, _) = await call(decoded, ["board": "main", "shape": polygon, "color": "red", "origin": ["x": 0, "y": 0]])
    #expect(!second.result.isError, "\(second.result.firstText ?? "")")
}

@Test func oneOfMatchingNoBranchIsRefused() async throws {
    let decoded = try shapesTool()
    let square: JSONValue = ["kind": "square", "side": 2]
    #expect(
        await refusal(decoded, ["board": "main", "shape": square])
            == "Invalid arguments for t: /shape: must match exactly one schema in oneOf (matched 0).")
    let flatCircle: JSONValue = ["kind": "circle", "center": ["x": 1, "y": 2], "radius": 0]
    #expect(
        await refusal(decoded, ["board": "main", "shape": flatCircle])
            == "Invalid arguments for t: /shape: must match exactly one schema in oneOf (matched 0).")
}

@Test func anyOfMatchingNoBranchIsRefused() async throws {
    let decoded = try shapesTool()
    #expect(
        await refusal(decoded, ["board": "main", "shape": circle, "color": "purple"])
            == "Invalid arguments for t: /color: must match at least one schema in anyOf.")
    #expect(
        await refusal(decoded, ["board": "main", "shape": circle, "color": 7])
            == "Invalid arguments for t: /color: must be one of: red, green, blue.")
}

@Test func ifThenRequiresWhatTheConditionCallsFor() async throws {
    let decoded = try shapesTool()
    #expect(
        await refusal(decoded, ["board": "main", "shape": circle, "dry_run": true])
            == "Invalid arguments for t: /trace: is required.")
    // The condition does not hold: no trace needed.
    let (outcome, requests) = await call(decoded, ["board": "main", "shape": circle, "dry_run": false])
    #expect(!outcome.result.isError)
    #expect(requests.count == 1)
}

@Test func refsToDefsAreFollowed() async throws {
    let decoded = try shapesTool()
    #expect(
        await refusal(decoded, ["board": "main", "shape": circle, "origin": ["x": 1]])
            == "Invalid arguments for t: /origin/y: is required.")
    #expect(
        await refusal(decoded, ["board": "main", "shape": circle, "origin": ["x": 1, "y": "2"]])
            == "Invalid arguments for t: /origin/y: must be a number, got string.")
}

@Test func everyProblemIsListedAndUnknownArgumentsAreRefused() async throws {
    let decoded = try shapesTool()
    #expect(
        await refusal(decoded, ["board": "Main", "layer": -1, "colour": "red"])
            == #"Invalid arguments for t: /shape: is required; /board: must match pattern ^[a-z]+$; /layer: must be at least 0; arguments: unexpected property "colour"."#)
}

// MARK: - Where each argument goes

@Test func eachPlacementLandsInItsPartOfTheRequest() throws {
    let decoded = try shapesTool()
    let request = try build(
        decoded,
        ["board": "main", "shape": circle, "color": "red", "dry_run": true, "trace": "abc", "tags": ["a b", "c"]])
    // Query items follow the order of the schema's properties; layer takes its default.
    #expect(request.url == "https://api.example.com/v2/boards/main/shapes?z-index=1&dry_run=true&tags=a%20b,c")
    #expect(request.headers.first { $0.name == "X-Trace-Id" }?.value == "abc")
    #expect(request.bodyText == #"{"shape":{"kind":"circle","center":{"x":1,"y":2.5},"radius":3},"color":"red"}"#)
    #expect(request.headers.first { $0.name == "Content-Type" }?.value == "application/json")
}

@Test func leftOutArgumentsAreLeftOutUpstream() throws {
    let decoded = try shapesTool()
    let request = try build(decoded, ["board": "main", "shape": circle, "layer": 4])
    #expect(request.url == "https://api.example.com/v2/boards/main/shapes?z-index=4")
    #expect(!request.headerNames.contains("X-Trace-Id"))
    #expect(request.bodyText == #"{"shape":{"kind":"circle","center":{"x":1,"y":2.5},"radius":3}}"#)
}

@Test func getToolsSendUnplacedArgumentsInTheQuery() throws {
    let decoded = try decodeTool(
        """
            input_schema:
              type: object
              properties:
                id: { type: integer }
                state: { enum: [open, closed] }
                labels: { type: array, items: { type: string } }
              required: [id]
              additionalProperties: false
        """, path: "/items/{id}")
    let request = try build(decoded, ["id": 7, "state": "open", "labels": ["x", "y"]])
    #expect(request.url == "https://api.example.com/v2/items/7?state=open&labels=x&labels=y")
    #expect(request.body == nil)
}

@Test func bodyTemplatesUseDeclaredArguments() throws {
    let decoded = try decodeTool(
        """
            input_schema:
              type: object
              properties:
                title: { type: string }
                point: { $ref: "#/$defs/point" }
                term: { type: string }
              required: [title]
              additionalProperties: false
              $defs: { point: { type: object, properties: { x: { type: integer } } } }
            parameters:
              term: { in: query }
            body:
              data: { title: "{{ title }}", at: "{{ point }}", by: "{{ user.sub }}" }
        """, method: "POST", path: "/items")
    let request = try build(
        decoded, ["title": "Hello", "point": ["x": 3], "term": "q"], caller: CallerIdentity(subject: "u-1"))
    #expect(request.url == "https://api.example.com/v2/items?term=q")
    #expect(request.bodyText == #"{"data":{"title":"Hello","at":{"x":3},"by":"u-1"}}"#)
    let without = try build(decoded, ["title": "Hello"], caller: CallerIdentity(subject: "u-1"))
    #expect(without.bodyText == #"{"data":{"title":"Hello","by":"u-1"}}"#)
}
