import NIOCore
import NIOPosix
import Testing

@testable import DeploymentDoctor

/// The real transport against peers that misbehave on 127.0.0.1: each ends
/// as an error within the transport's bound, never as a hang.
@Suite struct HTTPDoctorTransportTests {
    /// A listener that accepts connections and then says nothing, or hangs
    /// up at once.
    static func peer(hangUp: Bool) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                if hangUp { channel.close(promise: nil) }
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    @Test func aSilentPeerEndsWithinTheBound() async throws {
        let server = try await Self.peer(hangUp: false)
        let client = HTTPDoctorTransport.makeHTTPClient()
        let transport = HTTPDoctorTransport(client: client, timeout: .milliseconds(500))
        let url = "http://127.0.0.1:\(server.localAddress!.port!)/mcp"
        let started = ContinuousClock.now
        let findings = await DeploymentDoctor(transport: transport).examine(url)
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(findings.map(\.check) == ["https", "reachable"])
        #expect(findings.last?.verdict == .failure)
        #expect(findings.last?.summary.contains("no answer within") == true)
        try await client.shutdown()
        try await server.close()
    }

    @Test func aPeerThatHangsUpIsAnError() async throws {
        let server = try await Self.peer(hangUp: true)
        let client = HTTPDoctorTransport.makeHTTPClient()
        let transport = HTTPDoctorTransport(client: client, timeout: .seconds(5))
        await #expect(throws: DoctorTransportError.self) {
            try await transport.send(DoctorRequest(method: "GET", url: "http://127.0.0.1:\(server.localAddress!.port!)/"))
        }
        try await client.shutdown()
        try await server.close()
    }
}
