import GatehouseJSON
import Testing

@testable import ConnectorModel

private func decode(_ toolLines: String, method: String = "POST", path: String = "/orders/{region}") -> ConnectorDecoder.Result {
    let yaml = """
        connector: shop
        base_url: https://api.example.com
        tools:
          - name: place_order
            description: Place an order.
            method: \(method)
            path: \(path)
        \(toolLines)
        """
    return ConnectorDecoder(secrets: TestSecrets()).decode(yaml: yaml, file: "shop.yaml")
}

private let orderSchema = """
        input_schema:
          $schema: https://json-schema.org/draft/2020-12/schema
          type: object
          $defs:
            money:
              $anchor: money
              type: object
              properties:
                amount: { type: integer, minimum: 1 }
                currency: { enum: [EUR, USD] }
              required: [amount, currency]
          properties:
            region: { type: string, enum: [eu, us] }
            payment:
              oneOf:
                - { type: object, properties: { card: { type: string, pattern: "^[0-9]{16}$" } }, required: [card], additionalProperties: false }
                - { type: object, properties: { iban: { type: string } }, required: [iban], additionalProperties: false }
            total: { $ref: "#money" }
            gift: { type: boolean }
            note: { type: string }
            trace: { type: string }
          required: [region, payment, total]
          additionalProperties: false
          if: { properties: { gift: { const: true } }, required: [gift] }
          then: { required: [note] }
        parameters:
          trace: { in: header, as: X-Trace-Id }
    """

@Suite("input_schema: arguments as a JSON Schema")
struct InputSchemaTests {
    @Test func theSchemaIsPublishedAsWrittenAndArgumentsArePlaced() throws {
        let result = decode(orderSchema)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description))")
        let tool = try #require(result.connector?.tools.first)
        #expect(tool.inputSchema.source["$schema"] == "https://json-schema.org/draft/2020-12/schema")
        #expect(tool.inputSchema.source["$defs"]?["money"]?["$anchor"] == "money")
        let placed = Dictionary(uniqueKeysWithValues: tool.parameters.map { ($0.name, $0) })
        #expect(placed["region"]?.location == .path)
        #expect(placed["payment"]?.location == .body)
        #expect(placed["trace"]?.location == .header)
        #expect(placed["trace"]?.upstreamName == "X-Trace-Id")
        #expect(placed["region"]?.required == true && placed["gift"]?.required == false)
    }

    @Test func callsAreCheckedAgainstEveryKeyword() throws {
        let tool = try #require(decode(orderSchema).connector?.tools.first)
        func violations(_ arguments: JSONValue) -> [String] { tool.inputSchema.validate(arguments).map(\.description) }
        let good: JSONObject = [
            "region": "eu", "payment": ["card": "4111111111111111"], "total": ["amount": 5, "currency": "EUR"],
        ]
        #expect(violations(.object(good)).isEmpty)
        var both = good
        both["payment"] = ["card": "4111111111111111", "iban": "DE00"]
        #expect(!violations(.object(both)).isEmpty, "oneOf: exactly one branch")
        var badMoney = good
        badMoney["total"] = ["amount": 0, "currency": "GBP"]
        #expect(violations(.object(badMoney)).count >= 1, "$ref through an $anchor")
        var gift = good
        gift["gift"] = true
        #expect(!violations(.object(gift)).isEmpty, "if/then: a gift needs a note")
        gift["note"] = "Happy birthday"
        #expect(violations(.object(gift)).isEmpty)
    }

    @Test func mistakesAreReportedWhereTheyAre() {
        let typeInParameters = decode(orderSchema.replacingOccurrences(
            of: "trace: { in: header, as: X-Trace-Id }", with: "trace: { in: header, type: string }"))
        #expect(typeInParameters.diagnostics.map(\.description) == [
            "shop.yaml:34:28: with input_schema, 'type' of parameter 'trace' belongs in input_schema.properties.trace",
        ])
        let unknown = decode(orderSchema.replacingOccurrences(of: "trace: { in: header", with: "tracer: { in: header"))
        #expect(unknown.diagnostics.map(\.description) == ["shop.yaml:34:7: parameter 'tracer' is not a property of input_schema"])
        let notObject = decode("""
                input_schema:
                  type: array
            """, path: "/orders")
        #expect(notObject.diagnostics.map(\.description) == ["shop.yaml:9:7: input_schema must describe an object: type: object"])
        let pathless = decode("""
                input_schema:
                  type: object
                  properties: { note: { type: string } }
            """)
        #expect(pathless.diagnostics.map(\.description) == [
            "shop.yaml:9:7: path placeholder {region} needs a required property 'region' in input_schema",
        ])
        let remote = decode("""
                input_schema:
                  type: object
                  properties: { region: { $ref: "https://example.com/region.json" } }
                  required: [region]
            """)
        #expect(remote.diagnostics.first?.message.hasPrefix("invalid input_schema:") == true)
        #expect(remote.diagnostics.first?.message.contains("remote $ref is not supported") == true)
        let missingAnchor = decode("""
                input_schema:
                  type: object
                  properties: { region: { $ref: "#nowhere" } }
                  required: [region]
            """)
        #expect(missingAnchor.diagnostics.first?.message.contains("names no $anchor") == true)
        let dialect = decode("""
                input_schema:
                  $schema: http://json-schema.org/draft-07/schema#
                  type: object
                  properties: { region: { type: string } }
                  required: [region]
            """)
        #expect(dialect.diagnostics.map(\.message) == [
            "input_schema.$schema must be https://json-schema.org/draft/2020-12/schema (or left out)",
        ])
    }
}
