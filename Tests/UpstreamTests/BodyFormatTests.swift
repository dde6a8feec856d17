import ConnectorModel
import Foundation
import GatehouseJSON
import GatehouseTesting
import Testing

@testable import Upstream

/// Form and multipart bodies: the same body as JSON tools build, encoded
/// the way the API reads it.
@Suite("Form and multipart bodies")
struct BodyFormatTests {
    static let fields = """
            parameters:
              email: string
              address: { type: object, properties: { city: string, lines: { type: array, items: string } } }
              expand: { type: array, items: string }
              items: { type: array, items: { type: object, properties: { price: string, quantity: integer } } }
              note: string
        """

    func form(_ format: String) throws -> UpstreamRequest {
        let decoded = try decodeTool("    body_format: \(format)\n" + Self.fields, method: "POST", path: "/customers")
        return try build(decoded, [
            "email": "ann+1@example.com", "address": ["city": "Oslo", "lines": ["1 Main St", "Flat 2"]], "expand": ["a", "b"],
            "items": [["price": "p_1", "quantity": 2]], "note": .null,
        ])
    }

    @Test func formBodiesRepeatListsAndBracketObjects() throws {
        let request = try form("form")
        #expect(request.headers.filter { $0.name == "Content-Type" }.map(\.value) == ["application/x-www-form-urlencoded"])
        #expect(request.bodyText == "email=ann%2B1%40example.com&address%5Bcity%5D=Oslo&address%5Blines%5D=1%20Main%20St&address%5Blines%5D=Flat%202&expand=a&expand=b&items%5B0%5D%5Bprice%5D=p_1&items%5B0%5D%5Bquantity%5D=2")
    }

    @Test func bracketFormBodiesAreWhatStripeReads() throws {
        let request = try form("form_brackets")
        let decoded = try #require(request.bodyText?.removingPercentEncoding)
        #expect(decoded == "email=ann+1@example.com&address[city]=Oslo&address[lines][]=1 Main St&address[lines][]=Flat 2&expand[]=a&expand[]=b&items[0][price]=p_1&items[0][quantity]=2")
    }

    @Test func multipartSendsTextFieldsAndFiles() throws {
        let decoded = try decodeTool(
            """
                body_format: multipart
                parameters:
                  title: string
                  tags: { type: array, items: string }
                  attachment: { type: string, format: binary, description: The document. }
            """, method: "POST", path: "/upload")
        let schema = try #require(decoded.tool.inputSchema.source["properties"]?["attachment"])
        #expect(schema["contentEncoding"] == "base64")
        #expect(schema["description"] == "The document. The file's content, base64-encoded.")
        let bytes: [UInt8] = [0x25, 0x50, 0x44, 0x46, 0x00, 0xFF, 0x0D, 0x0A]
        let request = try build(decoded, ["title": "Q\"3", "tags": ["x"], "attachment": .string(Data(bytes).base64EncodedString())])
        let contentType = try #require(request.headers.first { $0.name == "Content-Type" }?.value)
        #expect(contentType.hasPrefix("multipart/form-data; boundary=gatehouse-"))
        let boundary = String(contentType.dropFirst("multipart/form-data; boundary=".count))
        let body = try #require(request.body)
        let expected: [UInt8] = Array("""
            --\(boundary)\r
            Content-Disposition: form-data; name="title"\r
            \r
            Q"3\r
            --\(boundary)\r
            Content-Disposition: form-data; name="tags"\r
            Content-Type: application/json\r
            \r
            ["x"]\r
            --\(boundary)\r
            Content-Disposition: form-data; name="attachment"; filename="attachment"\r
            Content-Type: application/octet-stream\r
            \r

            """.utf8) + bytes + Array("\r\n--\(boundary)--\r\n".utf8)
        #expect(body == expected)
        #expect(buildError(decoded, ["attachment": "not base64!"]) == "'attachment' must be the file's content in base64")
    }

    @Test func aFormatOnGETOrAnUnknownOneIsRefused() {
        for (lines, method, message) in [
            ("    body_format: form\n", "GET", "GET requests carry no body"),
            ("    body_format: xml\n", "POST", "body_format must be one of json, form, form_brackets, multipart"),
        ] {
            let yaml = ConnectorText.oneTool(
                lines, method: method, path: "/x", connector: "test", baseURL: "https://api.example.com", description: "d", connectorLines: "")
            let result = ConnectorDecoder(secrets: TestSecrets()).decode(yaml: yaml, file: "t.yaml")
            #expect(result.diagnostics.map(\.message) == [message])
        }
    }
}
