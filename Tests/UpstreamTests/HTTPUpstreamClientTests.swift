import AsyncHTTPClient
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import Upstream

/// The real client against a real server on 127.0.0.1: the body arrives
/// whole whether its length is announced or not, and the size limit holds
/// either way.
@Suite struct HTTPUpstreamClientTests {
    static let answer = [UInt8]((0..<300_000).map { UInt8(truncatingIfNeeded: $0 % 251) })

    static func withUpstream(_ test: @escaping @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.get("/announced") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: .init(byteBuffer: ByteBuffer(bytes: Self.answer)))
        }
        router.get("/streamed") { _, _ in
            // No Content-Length: the body comes in chunks of 10,000 bytes.
            Response(
                status: .ok, headers: [.contentType: "application/octet-stream"],
                body: ResponseBody { writer in
                    for start in stride(from: 0, to: Self.answer.count, by: 10_000) {
                        try await writer.write(ByteBuffer(bytes: Self.answer[start..<min(start + 10_000, Self.answer.count)]))
                    }
                    try await writer.finish(nil)
                })
        }
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await application.test(.live) { client in
            guard let port = client.port else { throw HTTPClientError.invalidURL }
            try await test("http://127.0.0.1:\(port)")
        }
    }

    static func request(_ url: String, limit: Int) -> UpstreamRequest {
        UpstreamRequest(method: .GET, url: url, displayURL: url, headers: [], body: nil, timeout: .seconds(10), maxResponseBytes: limit)
    }

    @Test func theBodyArrivesWholeWithOrWithoutALength() async throws {
        let http = HTTPUpstreamClient.makeHTTPClient()
        try await Self.withUpstream { base in
            let client = HTTPUpstreamClient(client: http)
            for path in ["/announced", "/streamed"] {
                let response = try await client.send(Self.request(base + path, limit: 1 << 20))
                #expect(response.status == 200)
                #expect(response.body == Self.answer, "\(path)")
            }
            // Exactly at the limit is allowed.
            #expect(try await client.send(Self.request(base + "/streamed", limit: Self.answer.count)).body.count == Self.answer.count)
        }
        try await http.shutdown()
    }

    @Test func aBodyOverTheLimitIsRefusedAnnouncedOrNot() async throws {
        let http = HTTPUpstreamClient.makeHTTPClient()
        try await Self.withUpstream { base in
            let client = HTTPUpstreamClient(client: http)
            for path in ["/announced", "/streamed"] {
                await #expect(throws: UpstreamFailure.responseTooLarge(limit: 100_000), "\(path)") {
                    try await client.send(Self.request(base + path, limit: 100_000))
                }
            }
            // The connection pool is still usable afterwards.
            let again = try await client.send(Self.request(base + "/announced", limit: 1 << 20))
            #expect(again.body == Self.answer)
        }
        try await http.shutdown()
    }
}
