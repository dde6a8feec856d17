import AuthorizationServer
import Foundation
import GatehouseJSON
import GatehouseTesting
import Gateway
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// Answers over `max_bytes` through the HTTP routes: the first part and a
/// link, the rest read with `resources/read` on this or another replica.
@Suite("Parts of long answers over HTTP")
struct AnswerPartRouteTests {
    static let connector = """
        connector: reports
        base_url: https://api.example.test/v1
        tools:
          - name: get_report
            description: A long report.
            path: /report
            parameters: { q: { type: string } }
            response: { max_bytes: 2000 }
          - name: run_report
            description: Runs a report once; it cannot be run again.
            method: POST
            path: /runs
            response: { max_bytes: 2000 }
        """

    static let report = #"{"rows":["# + (1...600).map { "\"row \($0)\"" }.joined(separator: ",") + "]}"

    static func post(_ client: some TestClientProtocol, _ method: String, name: String? = nil, params: JSONObject = [:]) async throws -> JSONValue {
        try await client.execute(
            uri: "/mcp", method: .post, headers: mcpHeaders(method: method, name: name), body: modernRequest(method: method, params: params)
        ).json()
    }

    static func call(_ gateway: Gateway, _ tool: String, _ arguments: JSONObject = [:]) async throws -> JSONValue {
        try await Application(router: gateway.router()).test(.router) { client in
            try await post(client, "tools/call", name: tool, params: ["name": .string(tool), "arguments": .object(arguments)])
        }
    }

    /// Reads a link and those after it on `gateway`; the text of every part.
    static func readAll(_ gateway: Gateway, from uri: String) async throws -> (texts: [String], error: JSONValue?) {
        try await Application(router: gateway.router()).test(.router) { client in
            var texts: [String] = []
            var next: String? = uri
            while let current = next {
                let read = try await post(client, "resources/read", name: current, params: ["uri": .string(current)])
                if let error = read["error"] { return (texts, error) }
                let contents = try #require(read["result"]?["contents"]?.arrayValue?.first)
                #expect(contents["uri"]?.stringValue == current)
                next = contents["_meta"]?["gatehouse/next"]?.stringValue
                var text = try #require(contents["text"]?.stringValue)
                if next != nil { text = String(text[..<text.range(of: "\n[part: bytes ")!.lowerBound]) }
                texts.append(text)
            }
            return (texts, nil)
        }
    }

    static func firstPart(_ result: JSONValue) throws -> (shown: String, uri: String) {
        let content = try #require(result["result"]?["content"]?.arrayValue)
        #expect(content.count == 2)
        let text = try #require(content[0]["text"]?.stringValue)
        #expect(content[1]["type"] == "resource_link")
        let uri = try #require(content[1]["uri"]?.stringValue)
        return (String(text[..<text.range(of: "\n[truncated: showing bytes 1–")!.lowerBound]), uri)
    }

    @Test func theRestOfAnIdempotentAnswerIsReadHereOrRebuiltOnAnotherReplica() async throws {
        let folder = try TemporaryFolder(["reports.yaml": Self.connector])
        let upstreamA = ScriptedUpstream([.respond(.json(Self.report))])
        let upstreamB = ScriptedUpstream([.respond(.json(Self.report))])
        let replicaA = try makeTestGateway(folder: folder.path, upstream: upstreamA)
        let replicaB = try makeTestGateway(folder: folder.path, upstream: upstreamB)
        let called = try await Self.call(replicaA, "get_report", ["q": "all"])
        let (shown, uri) = try Self.firstPart(called)
        let here = try await Self.readAll(replicaA, from: uri)
        #expect(here.error == nil)
        #expect(shown + here.texts.joined() == Self.report)
        #expect(here.texts.count == 2, "parts of max_bytes: 2000 + 2000 + the rest of \(Self.report.utf8.count)")
        #expect(upstreamA.requests.count == 1, "the replica that answered keeps the answer")
        let there = try await Self.readAll(replicaB, from: uri)
        #expect(shown + there.texts.joined() == Self.report)
        #expect(upstreamB.requests.map(\.url) == ["https://api.example.test/v1/report?q=all"], "rebuilt once, with the same arguments")
        // Capabilities say resources can be read, so clients follow the link.
        let discover = try await Application(router: replicaA.router()).test(.router) { client in try await Self.post(client, "server/discover") }
        #expect(discover["result"]?["capabilities"]?["resources"] != nil)
    }

    @Test func aChangedAnswerIsNotStitchedOntoTheOldOne() async throws {
        let folder = try TemporaryFolder(["reports.yaml": Self.connector])
        let replicaA = try makeTestGateway(folder: folder.path, upstream: ScriptedUpstream([.respond(.json(Self.report))]))
        let changed = Self.report.replacingOccurrences(of: "row 300", with: "row 301")
        let replicaB = try makeTestGateway(folder: folder.path, upstream: ScriptedUpstream([.respond(.json(changed))]))
        let (_, uri) = try Self.firstPart(try await Self.call(replicaA, "get_report"))
        let read = try await Self.readAll(replicaB, from: uri)
        #expect(read.texts.isEmpty)
        #expect(read.error?["message"]?.stringValue?.contains("has changed since its first part") == true)
    }

    @Test func aNonIdempotentAnswerIsReadFromTheSharedStoreAndNeverFetchedTwice() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-parts-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try await SQLiteAuthStore.open(path: path)
        try await store.migrate()
        let credentials = CredentialStore(store: store, box: try SecretBox(secret: Array(String(repeating: "k", count: 32).utf8)))
        let folder = try TemporaryFolder(["reports.yaml": Self.connector])
        func replica(_ upstream: ScriptedUpstream, shared: CredentialStore?) -> Gateway {
            var settings = GatewaySettings()
            settings.connectorsPath = folder.path
            settings.sessionSecret = "gateway-test-secret"
            let gateway = GatewayApp(settings: settings, logger: Logger(label: "gatehouse.tests"), upstream: upstream).makeGateway(
                credentialStore: shared)
            try? gateway.reload()
            return gateway
        }
        let upstreamA = ScriptedUpstream([.respond(.json(Self.report))])
        let upstreamB = ScriptedUpstream([.respond(.json(Self.report))])
        let (shown, uri) = try Self.firstPart(try await Self.call(replica(upstreamA, shared: credentials), "run_report"))
        let onDisk = ["", "-wal"].compactMap { FileManager.default.contents(atPath: path + $0) }.reduce(Data(), +)
        #expect(!onDisk.isEmpty)
        #expect(onDisk.range(of: Data("row 599".utf8)) == nil, "the answer is sealed in the store")
        let there = try await Self.readAll(replica(upstreamB, shared: credentials), from: uri)
        #expect(there.error == nil)
        #expect(shown + there.texts.joined() == Self.report)
        #expect(upstreamB.requests.isEmpty, "a POST is never sent again to read its answer")
        let without = try await Self.readAll(replica(upstreamB, shared: nil), from: uri)
        #expect(without.error?["message"]?.stringValue?.contains("not one the gateway sends twice") == true)
        #expect(upstreamB.requests.isEmpty)
        #expect(upstreamA.requests.count == 1)
        try await store.close()
    }
}
