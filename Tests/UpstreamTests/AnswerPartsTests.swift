import ConnectorModel
import Foundation
import GatehouseJSON
import Synchronization
import Testing

@testable import Upstream

/// Counts the rebuilds a read asks for and answers them from a script.
final class Rebuilds: Sendable {
    let answer: Mutex<AnswerParts.Rebuilt>
    let calls = Mutex<[(String, JSONObject)]>([])

    init(_ answer: AnswerParts.Rebuilt) { self.answer = Mutex(answer) }

    func rebuild(_ tool: String, _ arguments: JSONObject) -> AnswerParts.Rebuilt {
        calls.withLock { $0.append((tool, arguments)) }
        return answer.withLock { $0 }
    }

    var count: Int { calls.withLock { $0.count } }
}

@Suite("Parts of answers over the budget")
struct AnswerPartsTests {
    /// A cut result as the shaper makes it.
    static func cutResult(_ text: String, maxBytes: Int) -> ToolResult {
        let (shown, overflow) = ResponseShaper.cut(text, maxBytes: maxBytes)
        var result = ToolResult.text(shown)
        result.overflow = overflow
        result.mimeType = "application/json"
        return result
    }

    static func tool(method: String = "GET", maxBytes: Int, extra: String = "") throws -> ToolDefinition {
        try decodeTool("    response: { max_bytes: \(maxBytes) }\n" + extra, method: method).tool
    }

    static let text = #"{"items":["# + (1...60).map { "\"ünïcödé-\($0)-😀\"" }.joined(separator: ",") + "]}"

    /// Reads every part from the first link on, in order.
    static func readAll(
        _ parts: AnswerParts, from uri: String, caller: String? = "alice", rebuilds: Rebuilds = Rebuilds(.failed("no"))
    ) async -> (texts: [String], nexts: Int) {
        var texts: [String] = []
        var next: String? = uri
        var count = 0
        while let current = next {
            guard case .part(let text, let following, let mime) = await parts.read(current, caller: caller, endpoint: nil, rebuild: rebuilds.rebuild)
            else {
                Issue.record("part \(count) was not served")
                break
            }
            #expect(mime == "application/json")
            texts.append(following == nil ? text : String(text[..<text.range(of: "\n[part: bytes ")!.lowerBound]))
            if let following { #expect(text.hasSuffix("the next part is the resource \(following)]")) }
            next = following
            count += 1
        }
        return (texts, count)
    }

    @Test func aCutAnswerLinksToItsRestAndThePartsAddUpToTheWhole() async throws {
        let parts = AnswerParts()
        var result = Self.cutResult(Self.text, maxBytes: 300)
        await parts.offerRest(of: &result, tool: try Self.tool(maxBytes: 300), arguments: ["q": "x"], caller: "alice", endpoint: nil)
        #expect(result.content.count == 2)
        let first = try #require(result.content[0]["text"]?.stringValue)
        let link = result.content[1]
        #expect(link["type"] == "resource_link")
        #expect(link["mimeType"] == "application/json")
        let uri = try #require(link["uri"]?.stringValue)
        #expect(uri.hasPrefix("gatehouse://more/"))
        #expect(!uri.contains("alice") && !uri.contains("\"q\""), "the link is sealed: nothing readable in it")
        #expect(first.hasSuffix("is the resource \(uri) — read it with resources/read, one part at a time]"))
        let shown = try #require(result.overflow?.shown)
        let (texts, count) = await Self.readAll(parts, from: uri)
        #expect(String(first.utf8.prefix(shown))! + texts.joined() == Self.text)
        #expect(count == (Self.text.utf8.count - shown + 299) / 300 || count == (Self.text.utf8.count - shown) / 300 + 1)
        for text in texts.dropLast() { #expect(text.utf8.count <= 300 && text.utf8.count > 290, "parts are the tool's size, split on characters") }
    }

    @Test func aLinkIsForItsCallerAndEndpointOnly() async throws {
        let parts = AnswerParts()
        var result = Self.cutResult(Self.text, maxBytes: 200)
        await parts.offerRest(of: &result, tool: try Self.tool(maxBytes: 200), arguments: [:], caller: "alice", endpoint: "research")
        let uri = try #require(result.content[1]["uri"]?.stringValue)
        let rebuilds = Rebuilds(.text(Self.text))
        for (caller, endpoint) in [("bob", "research"), (nil, "research"), ("alice", nil), ("alice", "support")] as [(String?, String?)] {
            guard case .refused(let reason) = await parts.read(uri, caller: caller, endpoint: endpoint, rebuild: rebuilds.rebuild) else {
                Issue.record("\(caller ?? "-") at \(endpoint ?? "/mcp") read alice's part")
                continue
            }
            #expect(reason.contains("belongs to another user or endpoint"))
        }
        var altered = Array(uri.utf8)
        altered[altered.count - 5] = altered[altered.count - 5] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        guard case .unknown = await parts.read(String(decoding: altered, as: UTF8.self), caller: "alice", endpoint: "research", rebuild: rebuilds.rebuild)
        else { Issue.record("an altered link was read"); return }
        guard case .unknown = await AnswerParts().read(uri, caller: "alice", endpoint: "research", rebuild: rebuilds.rebuild) else {
            Issue.record("another key read the link"); return
        }
        let later = Date().addingTimeInterval(31 * 60)
        guard case .refused(let reason) = await parts.read(uri, caller: "alice", endpoint: "research", now: later, rebuild: rebuilds.rebuild) else {
            Issue.record("an expired link was read"); return
        }
        #expect(reason.contains("expired"))
        #expect(rebuilds.count == 0)
        guard case .part = await parts.read(uri, caller: "alice", endpoint: "research", rebuild: rebuilds.rebuild) else {
            Issue.record("the owner could not read the part"); return
        }
    }

    @Test func anotherReplicaRebuildsAnIdempotentAnswerOnceAndChecksItIsTheSame() async throws {
        let links = AnswerLinks(secret: Array("shared secret of the replicas".utf8))
        let answering = AnswerParts(links: links)
        var result = Self.cutResult(Self.text, maxBytes: 400)
        await answering.offerRest(of: &result, tool: try Self.tool(maxBytes: 400), arguments: ["q": "x", "n": 2], caller: "alice", endpoint: nil)
        let uri = try #require(result.content[1]["uri"]?.stringValue)
        let other = AnswerParts(links: links)
        let rebuilds = Rebuilds(.text(Self.text))
        let (texts, _) = await Self.readAll(other, from: uri, rebuilds: rebuilds)
        #expect(String(Self.text.utf8.prefix(result.overflow!.shown))! + texts.joined() == Self.text)
        #expect(rebuilds.count == 1, "the rebuilt answer is kept for the following parts")
        #expect(rebuilds.calls.withLock { $0.first?.0 } == "t")
        let sent = try #require(rebuilds.calls.withLock { $0.first?.1 })
        #expect(JSONValue.object(sent).canonicalBytes == JSONValue.object(["q": "x", "n": 2]).canonicalBytes)

        let changed = Rebuilds(.text(Self.text.replacingOccurrences(of: "-7-", with: "-8-")))
        guard case .refused(let reason) = await AnswerParts(links: links).read(uri, caller: "alice", endpoint: nil, rebuild: changed.rebuild) else {
            Issue.record("a changed answer was served as the rest of the old one"); return
        }
        #expect(reason.contains("has changed since its first part"))
        let failing = Rebuilds(.failed("The upstream API answered HTTP 503."))
        guard case .refused(let failure) = await AnswerParts(links: links).read(uri, caller: "alice", endpoint: nil, rebuild: failing.rebuild) else {
            Issue.record("a failed rebuild was served"); return
        }
        #expect(failure == "The upstream API answered HTTP 503.")
    }

    @Test func anAnswerThatMustNotBeFetchedTwiceIsKeptNeverRebuilt() async throws {
        let links = AnswerLinks(secret: Array("shared secret of the replicas".utf8))
        let shared = MemoryAnswerStore()
        let post = try Self.tool(method: "POST", maxBytes: 250)
        let confirmed = try Self.tool(maxBytes: 250, extra: "    confirm: \"Really?\"\n")
        for tool in [post, confirmed] {
            var result = Self.cutResult(Self.text, maxBytes: 250)
            await AnswerParts(links: links, shared: shared).offerRest(of: &result, tool: tool, arguments: ["q": "x"], caller: "alice", endpoint: nil)
            let uri = try #require(result.content[1]["uri"]?.stringValue)
            let rebuilds = Rebuilds(.text(Self.text))
            // Another replica with the shared store reads every part.
            let (texts, _) = await Self.readAll(AnswerParts(links: links, shared: shared), from: uri, rebuilds: rebuilds)
            #expect(String(Self.text.utf8.prefix(result.overflow!.shown))! + texts.joined() == Self.text)
            // One without it says why it cannot, and does not call again.
            guard case .refused(let reason) = await AnswerParts(links: links).read(uri, caller: "alice", endpoint: nil, rebuild: rebuilds.rebuild)
            else { Issue.record("a part appeared from nowhere"); continue }
            #expect(reason.contains("not one the gateway sends twice"))
            #expect(rebuilds.count == 0)
        }
    }

    @Test func resultsThatFitOrFailAreLeftAlone() async throws {
        let parts = AnswerParts()
        var small = Self.cutResult("{}", maxBytes: 100)
        await parts.offerRest(of: &small, tool: try Self.tool(maxBytes: 100), arguments: [:], caller: nil, endpoint: nil)
        #expect(small.content.count == 1 && small.firstText == "{}")
        var failed = Self.cutResult(Self.text, maxBytes: 100)
        failed.isError = true
        await parts.offerRest(of: &failed, tool: try Self.tool(maxBytes: 100), arguments: [:], caller: nil, endpoint: nil)
        #expect(failed.content.count == 1)
    }

    @Test func theMemoryStoreKeepsToItsBudgetOldestFirst() {
        let store = MemoryAnswerStore(budget: 1000)
        let later = Date().addingTimeInterval(60)
        for index in 0..<5 { store.save(id: "a\(index)", caller: "c", text: String(repeating: "x", count: 300), expires: later) }
        #expect(store.heldBytes <= 1000)
        #expect(store.load(id: "a0", caller: "c", now: Date()) == nil)
        #expect(store.load(id: "a4", caller: "c", now: Date()) != nil)
        #expect(store.load(id: "a4", caller: "d", now: Date()) == nil, "another caller's answer is not theirs")
        #expect(store.load(id: "a4", caller: "c", now: later.addingTimeInterval(1)) == nil, "expired")
        store.save(id: "huge", caller: "c", text: String(repeating: "y", count: 2000), expires: later)
        #expect(store.load(id: "huge", caller: "c", now: Date()) == nil, "what is larger than the budget is not kept")
    }
}

@Test(arguments: [
    ("GET", "", true), ("POST", "", false), ("PATCH", "", false), ("PUT", "", false), ("DELETE", "", false),
    ("POST", "    annotations: { read_only: true }\n", true),
    ("POST", "    annotations: { idempotent: true, destructive: false }\n", true),
    ("GET", "    confirm: true\n", false),
])
func onlyCallsThatMayBeRepeatedAreRebuilt(method: String, extra: String, repeated: Bool) throws {
    let tool = try decodeTool("    response: { max_bytes: 100 }\n" + extra, method: method).tool
    #expect(AnswerParts.mayBeRepeated(tool) == repeated)
}
