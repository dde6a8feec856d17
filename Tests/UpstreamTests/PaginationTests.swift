import Caller
import ConnectorModel
import GatehouseJSON
import GatehouseTesting
import Testing

@testable import Upstream

@Suite("Paginated tools")
struct PaginationTests {
    static let cursors = PageCursors(secret: Array("pagination-test-secret".utf8))
    let alice = CallerIdentity(subject: "alice")

    func invoker(_ client: ScriptedUpstream) -> ToolInvoker {
        ToolInvoker(client: client, cursors: Self.cursors)
    }

    static func page(_ ids: [Int], next: String? = nil) -> ScriptedUpstream.Answer {
        let items = ids.map { #"{"id":\#($0),"noise":"x"}"# }.joined(separator: ",")
        let nextJSON = next.map { #""\#($0)""# } ?? "null"
        return .respond(.json(#"{"data":[\#(items)],"meta":{"next":\#(nextJSON)}}"#))
    }

    func structured(_ outcome: ToolInvoker.Outcome) -> JSONValue? { outcome.result.structuredContent }

    @Test func aCursorFromTheAnswerIsHandedOnSignedAndSentBack() async throws {
        let decoded = try decodeTool(
            """
                parameters: { q: { type: string } }
                pagination: { style: cursor, items: data, next: meta.next, param: after }
                response: { fields: [id] }
            """)
        #expect(decoded.tool.inputSchema.source["properties"]?["cursor"]?["type"] == "string")
        let client = ScriptedUpstream([Self.page([1, 2], next: "c-2"), Self.page([3])])
        let first = await invoker(client).call(decoded, ["q": "printers"], caller: alice)
        #expect(first.kind == .ok)
        #expect(structured(first)?["items"] == [["id": 1], ["id": 2]])
        let cursor = try #require(structured(first)?["next_cursor"]?.stringValue)
        #expect(!cursor.contains("c-2"), "the upstream cursor is not shown as is")
        #expect(first.result.content.first?["text"]?.stringValue?.contains("cursor \"\(cursor)\"") == true)

        let second = await invoker(client).call(decoded, ["q": "printers", "cursor": .string(cursor)], caller: alice)
        #expect(structured(second)?["items"] == [["id": 3]])
        #expect(structured(second)?["next_cursor"] == nil)
        #expect(client.requests.map(\.url) == [
            "https://api.example.com/v2/items?q=printers", "https://api.example.com/v2/items?q=printers&after=c-2",
        ])
    }

    @Test func aCursorIsBoundToItsToolArgumentsAndCaller() async throws {
        let decoded = try decodeTool("    parameters: { q: { type: string } }\n    pagination: { style: cursor, items: data, next: meta.next, param: after }")
        let cursor = Self.cursors.seal(.cursor("c-9"), tool: "t", arguments: ["q": "a"], caller: "alice")
        for (arguments, caller, problem) in [
            (["q": "b"], alice, "another tool, other arguments or another user"),
            (["q": "a"], CallerIdentity(subject: "mallory"), "another tool, other arguments or another user"),
        ] as [(JSONObject, CallerIdentity, String)] {
            var withCursor = arguments
            withCursor["cursor"] = .string(cursor)
            let client = ScriptedUpstream([Self.page([1])])
            let outcome = await invoker(client).call(decoded, withCursor, caller: caller)
            #expect(outcome.kind == .invalidArguments)
            #expect(outcome.result.content.first?["text"]?.stringValue?.contains(problem) == true)
            #expect(client.requests.isEmpty)
        }
        var tampered = Array(cursor)
        tampered[5] = tampered[5] == "A" ? "B" : "A"
        let client = ScriptedUpstream([Self.page([1])])
        let refused = await invoker(client).call(decoded, ["q": "a", "cursor": .string(String(tampered))], caller: alice)
        #expect(refused.result.content.first?["text"]?.stringValue?.contains("not issued by this server") == true)
        let otherKey = await ToolInvoker(client: client, cursors: PageCursors(secret: [1, 2, 3])).call(
            decoded, ["q": "a", "cursor": .string(cursor)], caller: alice)
        #expect(otherKey.kind == .invalidArguments)
        #expect(client.requests.isEmpty)
    }

    @Test func pagesAreGatheredUpToTheLimitAndTheCursorPointsOn() async throws {
        let decoded = try decodeTool("    pagination: { style: page, items: data, param: page, size_param: per_page, size: 2, max_pages: 2 }")
        let client = ScriptedUpstream([Self.page([1, 2]), Self.page([3, 4]), Self.page([5])])
        let first = await invoker(client).call(decoded, [:], caller: alice)
        #expect(structured(first)?["items"]?.arrayValue?.count == 4)
        #expect(client.requests.map(\.url) == [
            "https://api.example.com/v2/items?page=1&per_page=2", "https://api.example.com/v2/items?page=2&per_page=2",
        ])
        let cursor = try #require(structured(first)?["next_cursor"])
        let rest = await invoker(client).call(decoded, ["cursor": cursor], caller: alice)
        #expect(structured(rest)?["items"]?.arrayValue?.count == 1)
        #expect(structured(rest)?["next_cursor"] == nil, "a short page is the last")
        #expect(client.requests.last?.url == "https://api.example.com/v2/items?page=3&per_page=2")
    }

    @Test func offsetsCountTheItemsRead() async throws {
        let decoded = try decodeTool("    pagination: { style: offset, items: data, param: offset, size_param: limit, size: 2, max_pages: 3 }")
        let client = ScriptedUpstream([Self.page([1, 2]), Self.page([3, 4]), Self.page([])])
        let outcome = await invoker(client).call(decoded, [:], caller: alice)
        #expect(structured(outcome)?["items"]?.arrayValue?.count == 4)
        #expect(structured(outcome)?["next_cursor"] == nil)
        #expect(client.requests.map(\.url).map { $0.split(separator: "?").last.map(String.init) ?? "" } == [
            "offset=0&limit=2", "offset=2&limit=2", "offset=4&limit=2",
        ])
    }

    @Test func aByteBudgetStopsGathering() async throws {
        let decoded = try decodeTool("    pagination: { style: page, items: data, param: page, max_pages: 10, max_bytes: 100 }")
        let client = ScriptedUpstream([Self.page([1, 2, 3]), Self.page([4, 5, 6]), Self.page([7])])
        let outcome = await invoker(client).call(decoded, [:], caller: alice)
        #expect(client.requests.count == 2)
        #expect(structured(outcome)?["items"]?.arrayValue?.count == 6)
        #expect(structured(outcome)?["next_cursor"] != nil)
    }

    @Test func linkHeadersAreFollowedOnlyOnTheAPIsOrigin() async throws {
        let decoded = try decodeTool("    pagination: { style: link, items: data, max_pages: 5 }")
        var first = UpstreamResponse.json(#"{"data":[1]}"#)
        first.link = #"<https://api.example.com/v2/items?page=2>; rel="next", <https://api.example.com/v2/items?page=9>; rel="last""#
        var second = UpstreamResponse.json(#"{"data":[2]}"#)
        second.link = #"</v2/items?page=3>; rel="next""#
        var third = UpstreamResponse.json(#"{"data":[3]}"#)
        third.link = #"<https://evil.example/steal>; rel="next""#
        let client = ScriptedUpstream([.respond(first), .respond(second), .respond(third)])
        let outcome = await invoker(client).call(decoded, [:], caller: alice)
        #expect(structured(outcome)?["items"] == [1, 2, 3])
        #expect(structured(outcome)?["next_cursor"] == nil, "a link to another host is not followed, nor handed on")
        #expect(client.requests.map(\.url) == [
            "https://api.example.com/v2/items", "https://api.example.com/v2/items?page=2", "https://api.example.com/v2/items?page=3",
        ])
        #expect(ToolInvoker.nextLink(in: #"<a>; rel="prev", <b>; rel="next last""#) == "b")
    }

    @Test func aFailedLaterPageKeepsWhatWasReadAndPointsBackAtIt() async throws {
        let decoded = try decodeTool("    pagination: { style: page, items: data, param: page, max_pages: 3 }")
        let client = ScriptedUpstream([Self.page([1]), .respond(.json("{}", status: 500, reason: "Oops"))])
        let outcome = await invoker(client).call(decoded, [:], caller: alice)
        #expect(outcome.kind == .ok)
        #expect(structured(outcome)?["items"] == [["id": 1, "noise": "x"]])
        let cursor = try #require(structured(outcome)?["next_cursor"]?.stringValue)
        #expect(try Self.cursors.open(cursor, tool: "t", arguments: [:], caller: "alice") == .page(2))
    }

    @Test func paginationIsReadAndChecked() throws {
        let broken = ConnectorDecoder(secrets: TestSecrets()).decode(
            yaml: ConnectorText.oneTool("    pagination: { style: cursor, items: data }"), file: "t.yaml")
        #expect(broken.diagnostics.map(\.message).contains("cursor pagination needs next: where the next cursor is in the answer"))
        let post = ConnectorDecoder(secrets: TestSecrets()).decode(
            yaml: ConnectorText.oneTool("    pagination: { style: link }", method: "POST"), file: "t.yaml")
        #expect(post.diagnostics.first?.message.contains("pagination is for GET tools") == true)
        let clash = ConnectorDecoder(secrets: TestSecrets()).decode(
            yaml: ConnectorText.oneTool("    parameters: { cursor: { type: string } }\n    pagination: { style: link }"), file: "t.yaml")
        #expect(clash.diagnostics.first?.message.contains("takes a 'cursor' argument of its own") == true)
    }
}
