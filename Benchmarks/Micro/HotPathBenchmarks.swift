import ConnectorModel
import Foundation
import GatehouseJSON
import MCPProtocol
import Upstream

/// The pieces every tool call goes through, one at a time.
enum HotPathBenchmarks {
    static let connectorFile = """
        connector: bench
        base_url: https://api.example.test/v2
        auth:
          bearer: service-token
        tools:
          - name: search_tickets
            description: Search tickets.
            path: /projects/{project}/tickets
            parameters:
              project: { type: string, pattern: "^[A-Z]+$" }
              q:       { type: string, required: true, max_length: 200 }
              status:  { type: string, enum: [open, closed], default: open }
              limit:   { type: integer, minimum: 1, maximum: 100, default: 20 }
              labels:  { type: array, items: { type: string } }
            response:
              select: items
              fields: [id, title, status, url]
          - name: list_tickets
            description: List tickets, answered as the API writes them.
            path: /tickets
        """

    static let request = """
        {"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"search_tickets","arguments":{"project":"OPS","q":"printer on fire","limit":10,"labels":["hardware","urgent"]},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"bench","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}}}
        """

    static func run(iterations: Int) throws -> [Measurement] {
        let decoded = ConnectorDecoder().decode(yaml: connectorFile, file: "bench.yaml")
        guard let connector = decoded.connector, let tool = connector.tools.first, let unshapedTool = connector.tools.last else {
            fatalError("benchmark connector is invalid: \(decoded.diagnostics)")
        }
        let body = Array(request.utf8)
        let arguments: JSONObject = ["project": "OPS", "q": "printer on fire", "limit": 10, "labels": ["hardware", "urgent"]]
        let builder = RequestBuilder()
        let shaper = ResponseShaper()
        let upstreamRequest = try builder.build(tool: tool, target: connector.target, arguments: arguments, caller: .anonymous)
        let small = UpstreamResponse(status: 200, contentType: "application/json", body: Array(Self.items(count: 5).utf8))
        let large = UpstreamResponse(status: 200, contentType: "application/json", body: Array(Self.items(count: 300).utf8))
        // A 64 KiB answer, as an API that indents its JSON writes it.
        let answer = Self.items(count: 190).replacingOccurrences(of: ",\"", with: ",\n    \"")
        let sixtyFour = UpstreamResponse(status: 200, contentType: "application/json", body: Array(answer.utf8))
        let result: JSONObject = ["content": [["type": "text", "text": .string(String(repeating: "x", count: 1000))]]]
        let compactText = JSONCompaction.compactedText(Array(answer.utf8)) ?? ""

        return [
            try measure("JSON-RPC request parse (tools/call, \(body.count) B)", iterations: iterations) {
                blackHole(try JSONParser.parse(body))
            },
            try measure("JSON-RPC message read (parse + shape checks)", iterations: iterations) {
                blackHole(try JSONRPCMessage(try JSONParser.parse(body)))
            },
            measure("JSON-RPC result encode (1 KB text content)", iterations: iterations) {
                blackHole(JSONRPCEncoder.result(id: .int(42), result: result))
            },
            measure("argument validation (5 arguments)", iterations: iterations) {
                blackHole(tool.inputSchema.validate(.object(arguments)))
            },
            try measure("upstream request build", iterations: iterations) {
                blackHole(try builder.build(tool: tool, target: connector.target, arguments: arguments, caller: .anonymous))
            },
            measure("response shaping (\(small.body.count) B JSON)", iterations: iterations) {
                blackHole(shaper.shape(small, tool: tool, request: upstreamRequest))
            },
            measure("response shaping (\(large.body.count / 1024) KiB JSON)", iterations: max(1, iterations / 20)) {
                blackHole(shaper.shape(large, tool: tool, request: upstreamRequest))
            },
            try measure("unshaped \(sixtyFour.body.count / 1024) KiB JSON read and written again (before)", iterations: max(1, iterations / 20)) {
                blackHole(try JSONParser.parse(sixtyFour.body).jsonString)
            },
            measure("unshaped \(sixtyFour.body.count / 1024) KiB JSON answer passed on compact", iterations: max(1, iterations / 20)) {
                blackHole(shaper.shape(sixtyFour, tool: unshapedTool, request: upstreamRequest))
            },
            measure("that answer's text escaped into a JSON-RPC result (\(compactText.utf8.count / 1024) KiB)", iterations: max(1, iterations / 20)) {
                blackHole(JSONRPCEncoder.result(id: .int(42), result: ["content": [["type": "text", "text": .string(compactText)]]]))
            },
        ]
    }

    static func items(count: Int) -> String {
        let items = (0..<count).map { n in
            #"{"id":\#(n),"title":"Ticket number \#(n) about a printer","status":"open","url":"https://tickets.example.test/\#(n)","description":"\#(String(repeating: "lorem ipsum ", count: 15))","assignee":{"name":"Ann","email":"ann@example.test"}}"#
        }
        return #"{"total":\#(count),"items":[\#(items.joined(separator: ","))]}"#
    }
}
