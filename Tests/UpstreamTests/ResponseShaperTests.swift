import ConnectorModel
import Foundation
import GatehouseJSON
import Testing

@testable import Upstream

// MARK: - Helpers

private func shapingTool(
    select: [String] = [], conditions: [ItemCondition] = [], fields: [[String]] = [], renames: [(from: [String], to: String)] = [],
    maxBytes: Int = ResponseShaping.defaultMaxBytes, outputSchema: JSONValue? = nil, strict: Bool = false
) throws -> ToolDefinition {
    ToolDefinition(
        name: "shape_me", method: .GET, path: try PathTemplate(parsing: "/x"),
        response: ResponseShaping(
            select: select, conditions: conditions, fields: fields, renames: renames, maxBytes: maxBytes,
            outputSchema: try outputSchema.map { try JSONSchema($0) }, strictOutputSchema: strict),
        inputSchema: try JSONSchema(["type": "object"]), location: SourceLocation(file: "t.yaml", line: 1, column: 1))
}

private let request = UpstreamRequest(
    method: .GET, url: "https://api.example.com/x?api_key=SECRET", displayURL: "https://api.example.com/x", headers: [],
    body: nil, timeout: .seconds(5), maxResponseBytes: 1 << 20)

private func shape(
    _ body: String, contentType: String? = "application/json", status: Int = 200, reason: String = "",
    tool: ToolDefinition
) -> ToolResult {
    ResponseShaper().shape(
        UpstreamResponse(status: status, reason: reason, contentType: contentType, body: Array(body.utf8)), tool: tool,
        request: request)
}

extension ToolResult {
    /// The text of the first content block.
    var firstText: String? { content.first?["text"]?.stringValue }
}

private let marker = "\n[truncated: showing the first "

// MARK: - JSON shaping

@Test func selectNestedObject() throws {
    let result = shape(#"{"data":{"items":[1,2],"total":2},"meta":{}}"#, tool: try shapingTool(select: ["data", "items"]))
    #expect(!result.isError)
    #expect(result.firstText == "[1,2]")
    #expect(result.content.first?["type"] == "text")
    #expect(result.structuredContent == nil)
}

@Test func selectArrayIndex() throws {
    let body = #"{"results":[{"name":"a"},{"name":"b"}]}"#
    #expect(shape(body, tool: try shapingTool(select: ["results", "1", "name"])).firstText == #""b""#)
    #expect(shape(body, tool: try shapingTool(select: ["results", "0"])).firstText == #"{"name":"a"}"#)
}

@Test func selectMissingGivesNull() throws {
    let body = #"{"results":[{"name":"a"}],"n":3}"#
    #expect(shape(body, tool: try shapingTool(select: ["nope"])).firstText == "null")
    #expect(shape(body, tool: try shapingTool(select: ["results", "5"])).firstText == "null")
    #expect(shape(body, tool: try shapingTool(select: ["results", "x"])).firstText == "null")
    #expect(shape(body, tool: try shapingTool(select: ["n", "deeper"])).firstText == "null")
}

@Test func emptySelectKeepsEverythingCompacted() throws {
    #expect(shape("{ \"a\" : [ 1 , 2 ] }", tool: try shapingTool()).firstText == #"{"a":[1,2]}"#)
}

@Test func fieldsOnAnArrayOfObjects() throws {
    let body = #"[{"id":1,"name":"a","x":9},{"id":2,"x":8},"plain"]"#
    let result = shape(body, tool: try shapingTool(fields: [["name"], ["id"]]))
    #expect(result.firstText == #"[{"name":"a","id":1},{"id":2},"plain"]"#)
}

@Test func dottedFieldsKeepNestedValues() throws {
    let body = #"{"owner":{"login":"x","id":3,"url":"u"},"title":"t","other":1}"#
    let result = shape(body, tool: try shapingTool(fields: [["title"], ["owner", "login"], ["owner", "id"]]))
    #expect(result.firstText == #"{"title":"t","owner":{"login":"x","id":3}}"#)
}

@Test func selectThenFields() throws {
    let body = #"{"data":{"items":[{"id":1,"secret":"s"},{"id":2,"secret":"t"}]}}"#
    let result = shape(body, tool: try shapingTool(select: ["data", "items"], fields: [["id"]]))
    #expect(result.firstText == #"[{"id":1},{"id":2}]"#)
}

@Test func keepAndSelectDirectly() {
    #expect(ResponseShaper.keep([["a", "b", "c"]], of: ["a": ["b": ["c": 1, "d": 2]], "z": 0]) == ["a": ["b": ["c": 1]]])
    #expect(ResponseShaper.keep([["a"]], of: 5) == 5)
    #expect(ResponseShaper.select([], in: [1]) == [1])
    #expect(ResponseShaper.select(["0", "0"], in: [[7]]) == 7)
}

// MARK: - Size cap

@Test func byteCapTruncatesAndSaysSo() throws {
    let items = (0..<200).map { JSONValue.string("item-\($0)") }
    let full = JSONValue.array(items).jsonString
    let result = shape(full, tool: try shapingTool(maxBytes: 100))
    let text = try #require(result.firstText)
    #expect(!result.isError)
    #expect(text.hasPrefix(String(full.prefix(100))))
    #expect(
        text
            == String(full.prefix(100))
            + "\n[truncated: showing the first 100 of \(full.utf8.count) bytes; narrow the request (filters, a smaller limit) to see the rest]"
    )
    let markerLength = text.utf8.count - 100
    #expect(text.utf8.count <= 100 + markerLength)
    #expect(text.contains(marker))
}

@Test func textUnderTheCapIsUntouched() throws {
    #expect(shape("[1,2,3]", tool: try shapingTool(maxBytes: 7)).firstText == "[1,2,3]")
    #expect(shape("[1,2,3]", tool: try shapingTool(maxBytes: 6)).firstText?.hasPrefix("[1,2,3" + marker + "6 of 7 bytes") == true)
}

@Test func truncationNeverSplitsAMultiByteCharacter() throws {
    // "ab" then a 4-byte emoji (bytes 2..<6) then "cd": every cut inside the emoji backs off to "ab".
    let text = "ab😀cd"
    for cap in 3...5 {
        let cut = ResponseShaper.truncate(text, maxBytes: cap)
        #expect(cut.hasPrefix("ab" + marker + "2 of 8 bytes"), "cap \(cap): \(cut)")
    }
    #expect(ResponseShaper.truncate(text, maxBytes: 6).hasPrefix("ab😀" + marker + "6 of 8 bytes"))
    #expect(ResponseShaper.truncate(text, maxBytes: 2).hasPrefix("ab" + marker))
    #expect(ResponseShaper.truncate(text, maxBytes: 8) == text)

    // 2- and 3-byte characters.
    #expect(ResponseShaper.truncate("éé", maxBytes: 3).hasPrefix("é" + marker + "2 of 4 bytes"))
    #expect(ResponseShaper.truncate("€€", maxBytes: 5).hasPrefix("€" + marker + "3 of 6 bytes"))
    #expect(ResponseShaper.truncate("€€", maxBytes: 1).hasPrefix(marker + "0 of 6 bytes"))
}

@Test func truncatedMultiByteTextStaysWithinTheCap() throws {
    let text = String(repeating: "aé€😀", count: 50)  // 10 bytes per repetition
    for cap in [1, 2, 3, 7, 33, 99, 257, 499] {
        let result = shape(text, contentType: "text/plain; charset=utf-8", tool: try shapingTool(maxBytes: cap))
        let output = try #require(result.firstText)
        let range = try #require(output.range(of: marker))
        let kept = String(output[..<range.lowerBound])
        #expect(kept.utf8.count <= cap, "cap \(cap)")
        #expect(cap - kept.utf8.count < 4, "backs off at most one partial character")
        #expect(text.hasPrefix(kept))
        #expect(output.hasSuffix("narrow the request (filters, a smaller limit) to see the rest]"))
    }
}

// MARK: - Media types

@Test func nonJSONTextIsReturnedAsIs() throws {
    let tool = try shapingTool(select: ["ignored"])
    #expect(shape("hello, world", contentType: "text/plain", tool: tool).firstText == "hello, world")
    #expect(shape("<p>hi</p>", contentType: "text/html; charset=utf-8", tool: tool).firstText == "<p>hi</p>")
    #expect(shape("not json {", contentType: "application/json", tool: tool).firstText == "not json {")
    #expect(shape("plain words", contentType: nil, tool: tool).firstText == "plain words")
}

@Test func jsonMediaTypesAreParsed() throws {
    let tool = try shapingTool(select: ["a"])
    #expect(shape(#"{"a":1}"#, contentType: "application/problem+json", tool: tool).firstText == "1")
    #expect(shape(#"{"a":2}"#, contentType: "Application/JSON; charset=utf-8", tool: tool).firstText == "2")
    #expect(shape(#"{"a":3}"#, contentType: "text/json", tool: tool).firstText == "3")
    #expect(shape(#"{"a":4}"#, contentType: nil, tool: tool).firstText == "4")
    #expect(shape(#"{"a":5}"#, contentType: "text/plain", tool: tool).firstText == #"{"a":5}"#)
}

@Test func imagesBecomeImageContent() throws {
    let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0xFF]
    let result = ResponseShaper().shape(
        UpstreamResponse(status: 200, contentType: "image/png; q=1", body: png), tool: try shapingTool(), request: request)
    #expect(!result.isError)
    #expect(result.content == [["type": "image", "data": "iVBORw0KGgoA/w==", "mimeType": "image/png"]])
}

@Test func audioBecomesAudioContent() throws {
    let result = ResponseShaper().shape(
        UpstreamResponse(status: 200, contentType: "audio/mpeg", body: [1, 2, 3]), tool: try shapingTool(), request: request)
    #expect(result.content == [["type": "audio", "data": "AQID", "mimeType": "audio/mpeg"]])
}

@Test func binaryBecomesAnEmbeddedResourceBlob() throws {
    let result = ResponseShaper().shape(
        UpstreamResponse(status: 200, contentType: "application/octet-stream", body: [0, 1, 2, 253, 254, 255]),
        tool: try shapingTool(), request: request)
    #expect(!result.isError)
    #expect(
        result.content == [
            [
                "type": "resource",
                "resource": ["uri": "https://api.example.com/x", "mimeType": "application/octet-stream", "blob": "AAEC/f7/"],
            ]
        ])
}

@Test func emptySuccessSaysDone() throws {
    let result = shape("", contentType: nil, status: 204, tool: try shapingTool())
    #expect(!result.isError)
    #expect(result.firstText == "Done: HTTP 204 with no content.")
    #expect(shape("", status: 200, tool: try shapingTool()).firstText == "Done: HTTP 200 with no content.")
}

// MARK: - Failures

@Test func notFoundIsAnErrorWithStatusAndBody() throws {
    let result = shape(#"{"error":"nope"}"#, status: 404, reason: "Not Found", tool: try shapingTool(select: ["x"]))
    #expect(result.isError)
    #expect(
        result.firstText
            == #"The upstream API answered HTTP 404 Not Found to GET https://api.example.com/x. The requested item does not exist. Response body: {"error":"nope"}"#
    )
    #expect(result.firstText?.contains("SECRET") == false, "the query (which may hold an API key) is never shown")
    #expect(result.json["isError"] == true)
}

@Test func statusSpecificHints() throws {
    let tool = try shapingTool()
    func message(_ status: Int) -> String { shape("", contentType: nil, status: status, tool: tool).firstText ?? "" }
    #expect(message(400).hasSuffix("The arguments were probably not accepted; check them and try again."))
    #expect(message(422).hasSuffix("The arguments were probably not accepted; check them and try again."))
    #expect(message(401).hasSuffix("The gateway's credentials for this API were refused or lack permission."))
    #expect(message(429).hasSuffix("The API is rate limiting; wait before retrying."))
    #expect(message(503).hasSuffix("The API had an internal problem; retrying later may help."))
    #expect(message(302) == "The upstream API answered HTTP 302 to GET https://api.example.com/x.")
    #expect(shape("", contentType: nil, status: 302, tool: tool).isError)
}

@Test func longErrorBodiesAreExcerpted() throws {
    let body = String(repeating: "x", count: 5_000)
    var excerpting = request
    excerpting.errorBodyBytes = 50
    let result = ResponseShaper().shape(
        UpstreamResponse(status: 500, reason: "Internal Server Error", contentType: "text/plain", body: Array(body.utf8)),
        tool: try shapingTool(), request: excerpting)
    let text = try #require(result.firstText)
    #expect(result.isError)
    #expect(text.contains("Response body: " + String(repeating: "x", count: 50) + marker + "50 of 200 bytes"))
}

// MARK: - Output schema

private let outputSchema: JSONValue = [
    "type": "object", "properties": ["id": ["type": "integer"], "name": ["type": "string"]], "required": ["id"],
]

@Test func outputSchemaAddsStructuredContent() throws {
    let result = shape(#"{"data":{"id":7,"name":"x"}}"#, tool: try shapingTool(select: ["data"], outputSchema: outputSchema))
    #expect(!result.isError)
    #expect(result.structuredContent == ["id": 7, "name": "x"])
    #expect(result.firstText == #"{"id":7,"name":"x"}"#)
    #expect(result.json["structuredContent"] == ["id": 7, "name": "x"])
}

@Test func aLenientMismatchKeepsTheTextAndDropsTheStructuredCopy() throws {
    let result = shape(#"{"data":{"name":3}}"#, tool: try shapingTool(select: ["data"], outputSchema: outputSchema))
    #expect(!result.isError)
    #expect(result.structuredContent == nil)
    #expect(result.firstText == #"{"name":3}"#)
    #expect(result.schemaMismatch?.contains("/id: is required") == true)
}

@Test func aStrictMismatchIsAnError() throws {
    let result = shape(#"{"data":{"name":3}}"#, tool: try shapingTool(select: ["data"], outputSchema: outputSchema, strict: true))
    #expect(result.isError)
    #expect(result.structuredContent == nil)
    let text = try #require(result.firstText)
    #expect(text.hasPrefix("The upstream answer for shape_me does not match the tool's output schema ("))
    #expect(text.hasSuffix(#"Answer: {"name":3}"#))
}

@Test func emptyBodyWithOutputSchemaIsCheckedAsAnEmptyObject() throws {
    let lenient = try shapingTool(outputSchema: ["type": "object"])
    #expect(shape("", status: 204, tool: lenient).structuredContent == [:])
    #expect(shape("", status: 204, tool: try shapingTool(outputSchema: outputSchema, strict: true)).isError)
    #expect(shape("", status: 204, tool: try shapingTool(outputSchema: outputSchema)).schemaMismatch != nil)
}

// MARK: - Filtering and renaming

private let people = #"{"items":[{"id":1,"status":"open","owner":{"login":"ann"},"tag":"a"},{"id":2,"status":"closed","owner":{"login":"bob"}},{"id":3,"status":"open","owner":null,"tag":"b"}]}"#

@Test func whereKeepsTheItemsThatMeetEveryCondition() throws {
    func ids(_ conditions: [ItemCondition]) throws -> String? {
        shape(people, tool: try shapingTool(select: ["items"], conditions: conditions, fields: [["id"]])).firstText
    }
    #expect(try ids([ItemCondition(field: ["status"], test: .equals("open"))]) == #"[{"id":1},{"id":3}]"#)
    #expect(try ids([ItemCondition(field: ["id"], test: .oneOf([2, 3.0]))]) == #"[{"id":2},{"id":3}]"#)
    #expect(try ids([ItemCondition(field: ["owner", "login"], test: .exists(true))]) == #"[{"id":1},{"id":2}]"#)
    #expect(try ids([ItemCondition(field: ["tag"], test: .exists(false))]) == #"[{"id":2}]"#)
    #expect(
        try ids([ItemCondition(field: ["status"], test: .equals("open")), ItemCondition(field: ["tag"], test: .equals("b"))])
            == #"[{"id":3}]"#)
}

@Test func renameMovesKeptValuesToNewNames() throws {
    let result = shape(
        people,
        tool: try shapingTool(
            select: ["items"], conditions: [ItemCondition(field: ["id"], test: .equals(1))], fields: [["id"], ["owner", "login"]],
            renames: [(["owner", "login"], "owner"), (["id"], "number")]))
    #expect(result.firstText == #"[{"owner":"ann","number":1}]"#)
}

@Test func toolResultJSON() {
    #expect(ToolResult.text("hi").json == ["content": [["type": "text", "text": "hi"]]])
    #expect(ToolResult.error("bad").json == ["content": [["type": "text", "text": "bad"]], "isError": true])
}

@Test func mediaTypeParsing() {
    #expect(ResponseShaper.mediaType("Text/HTML ; charset=utf-8") == "text/html")
    #expect(ResponseShaper.mediaType("") == nil)
    #expect(ResponseShaper.mediaType(nil) == nil)
    #expect(ResponseShaper.isTextual("application/xml"))
    #expect(ResponseShaper.isTextual("application/vnd.api+json"))
    #expect(!ResponseShaper.isTextual("application/pdf"))
}

// MARK: - Credentials in answers

@Test func theConnectorsSecretsAreRemovedFromEveryAnswer() throws {
    var secretive = request
    secretive.redactor = SecretRedactor(secrets: ["sk-live-abcdef"])
    let ok = ResponseShaper().shape(
        UpstreamResponse(status: 200, contentType: "application/json", body: Array(#"{"headers":{"Authorization":"Bearer sk-live-abcdef"}}"#.utf8)),
        tool: try shapingTool(), request: secretive)
    #expect(ok.firstText == #"{"headers":{"Authorization":"Bearer [REDACTED]"}}"#)
    let failed = ResponseShaper().shape(
        UpstreamResponse(status: 401, contentType: "text/plain", body: Array("bad key sk-live-abcdef".utf8)),
        tool: try shapingTool(), request: secretive)
    #expect(failed.firstText?.contains("sk-live") == false)
    #expect(failed.firstText?.hasSuffix("Response body: bad key [REDACTED]") == true)
}

@Test func credentialShapedTextInErrorBodiesIsMasked() throws {
    let body = #"{"you_sent":{"Authorization":"Bearer eyJhbGciOi.other.token","X-Api-Key":"k-998877","Cookie":"sid=abc123"},"password=hunter22&user=bob"}"#
    let result = ResponseShaper().shape(
        UpstreamResponse(status: 500, contentType: "application/json", body: Array(body.utf8)), tool: try shapingTool(),
        request: request)
    let text = try #require(result.firstText)
    for leaked in ["eyJhbGciOi", "k-998877", "abc123", "hunter22"] { #expect(!text.contains(leaked), "\(leaked) leaked: \(text)") }
    #expect(text.contains(#""Authorization":"Bearer [REDACTED]""#))
    #expect(text.contains("user=bob"), "ordinary text stays")
}

@Test func noBodyIsQuotedWhenTheConnectorSaysSo() throws {
    var quiet = request
    quiet.errorBodyBytes = 0
    let result = ResponseShaper().shape(
        UpstreamResponse(status: 500, reason: "Internal Server Error", contentType: "text/plain", body: Array("stack trace".utf8)),
        tool: try shapingTool(), request: quiet)
    #expect(result.firstText?.contains("stack trace") == false)
    #expect(result.firstText?.hasPrefix("The upstream API answered HTTP 500") == true)
}

// MARK: - Unshaped answers

/// A tool with no shaping passes the answer on as the upstream wrote it,
/// made compact, without reading it into values; a cut still says so, and
/// what is not JSON after all is still text.
@Test func anUnshapedAnswerIsPassedOnCompact() throws {
    let tool = try shapingTool()
    let pretty = "{\n  \"id\": 12345678901234567890,\n  \"price\": 1.50,\n  \"name\": \"caf\\u00e9\"\n}\n"
    let result = shape(pretty, tool: tool)
    #expect(result.firstText == #"{"id":12345678901234567890,"price":1.50,"name":"café"}"#)
    #expect(result.mimeType == "application/json" && result.structuredContent == nil && !result.isError)

    let long = "[" + (0..<200).map { "\"item \($0)\"" }.joined(separator: ", ") + "]"
    let cut = shape(long, tool: try shapingTool(maxBytes: 100))
    #expect(cut.firstText?.hasPrefix(#"["item 0","item 1","#) == true)
    #expect(cut.firstText?.contains(marker) == true)
    #expect(cut.overflow != nil)

    let notJSON = shape("{not json", tool: tool)
    #expect(notJSON.firstText == "{not json" && !notJSON.isError)
}

/// With an output schema or any shaping, the answer is still read and checked.
@Test func aShapedOrCheckedAnswerIsStillRead() throws {
    let schema: JSONValue = ["type": "object", "properties": ["price": ["type": "number"]]]
    let result = shape(#"{ "price": 1.50 }"#, tool: try shapingTool(outputSchema: schema))
    #expect(result.firstText == #"{"price":1.5}"#)
    #expect(result.structuredContent == ["price": 1.5])
}

/// Shaping reads only what it keeps (`JSONProjection`); the result must be
/// what reading the whole answer and then shaping it gives.
@Test func readingOnlyTheKeptPartGivesTheSameShapedAnswer() throws {
    let body = #"""
        {"meta": {"count": 4, "pages": [1, 2]}, "items": [
          {"id": 1, "status": "open", "owner": {"login": "ann", "id": 7}, "tag": "a", "body": "long \"text\""},
          {"id": 2, "status": "closed", "owner": {"login": "bob"}, "body": null},
          {"id": 3, "status": "open", "tag": "b"}, "loose", [{"id": 9, "status": "open"}]
        ]}
        """#
    let open = ItemCondition(field: ["status"], test: .equals("open"))
    let owned = ItemCondition(field: ["owner", "login"], test: .exists(true))
    let shapings: [(select: [String], conditions: [ItemCondition], fields: [[String]], renames: [(from: [String], to: String)])] = [
        (["items"], [], [["id"]], []),
        (["items"], [open], [["id"]], []),
        (["items"], [owned], [["id"], ["owner", "login"]], [(["owner", "login"], "who")]),
        (["items", "0"], [], [["owner", "id"], ["tag"]], []),
        (["items", "4"], [], [["id"]], []),
        (["meta"], [], [["pages"]], []),
        (["missing"], [], [["id"]], []),
        ([], [], [["meta"]], []),
        (["items"], [open], [], [(["id"], "number")]),
        (["items"], [], [["tag"], ["id"]], []),
        (["items"], [], [["status"], ["id"]], [(["id"], "number")]),
    ]
    let parsed = try JSONParser.parse(body)
    for shaping in shapings {
        let tool = try shapingTool(select: shaping.select, conditions: shaping.conditions, fields: shaping.fields, renames: shaping.renames)
        let whole = ResponseShaper.refine(ResponseShaper.select(shaping.select, in: parsed), by: tool.response)
        let read = try #require(ResponseShaper.selected(from: Array(body.utf8), by: tool.response))
        let fieldsKept = ResponseShaper.projectionKeepsFields(tool.response)
        #expect(ResponseShaper.refine(read, by: tool.response, fieldsKept: fieldsKept) == whole, "\(shaping.select) \(shaping.fields)")
        #expect(shape(body, tool: tool).firstText == whole.jsonString)
    }
    // Only `where` and `fields` decide what is read of each item.
    let tool = try shapingTool(select: ["items"], conditions: [open], fields: [["id"]])
    #expect(ResponseShaper.readMembers(of: tool.response) == ["id", "status"])
    #expect(ResponseShaper.readMembers(of: try shapingTool(select: ["items"]).response) == nil)
    // The cut is what `fields` keeps only for plain names and no `where`.
    #expect(!ResponseShaper.projectionKeepsFields(tool.response))
    #expect(ResponseShaper.projectionKeepsFields(try shapingTool(select: ["items"], fields: [["id"], ["tag"]]).response))
    #expect(!ResponseShaper.projectionKeepsFields(try shapingTool(select: ["items"], fields: [["owner", "login"]]).response))
}

@Test func anAnswerThatIsNotJSONWhereShapingReadsItIsPassedOnAsText() throws {
    let tool = try shapingTool(select: ["items"], fields: [["id"]])
    #expect(shape(#"{"items": [{"id": 1, "x": tru}]}"#, tool: tool).firstText == #"{"items": [{"id": 1, "x": tru}]}"#)
    #expect(shape(#"{"items": [{"id": 1}]} trailing"#, tool: tool).firstText == #"{"items": [{"id": 1}]} trailing"#)
}
