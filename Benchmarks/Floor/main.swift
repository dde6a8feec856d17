// The framework floor: the server and client stack the gateway was built
// on (Hummingbird in front, AsyncHTTPClient behind, the same client settings),
// doing no gateway work at all. POST /mcp reads the body, GETs the upstream
// URL and answers with the upstream's bytes. Its latency and throughput bound
// what any gateway built on these two libraries can reach on a machine.
//
//     gatehouse-floor <port> <upstream-url> [swift|nio|event-loop]
//
// `nio` runs Swift's tasks on NIO's event loops instead of Swift's own
// thread pool, which saves thread switches at low concurrency.
// `event-loop` is the other floor (EventLoopFloor.swift): no Hummingbird,
// no AsyncHTTPClient, the shape of the gateway's own `/mcp` path.
import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import NIOPosix
import Upstream

let arguments = CommandLine.arguments
guard arguments.count >= 3, let port = Int(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: gatehouse-floor <port> <upstream-url> [swift|nio]\n".utf8))
    exit(2)
}
if arguments.count > 3, arguments[3] == "nio" {
    NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
}
let upstreamURL = arguments[2]
if arguments.count > 3, arguments[3] == "event-loop" {
    guard let upstream = UpstreamAddress(upstreamURL) else {
        FileHandle.standardError.write(Data("the event-loop floor takes http://HOST:PORT/PATH\n".utf8))
        exit(2)
    }
    try await runEventLoopFloor(port: port, upstream: upstream)
    exit(0)
}
let client = HTTPUpstreamClient.makeHTTPClient()

let router = Router()
router.get("/healthz") { _, _ in "ok" }
router.post("/mcp") { request, _ -> Response in
    _ = try await request.body.collect(upTo: 1 << 20)
    let upstream = try await client.execute(HTTPClientRequest(url: upstreamURL), deadline: .now() + .seconds(10))
    let body = try await upstream.body.collect(upTo: 1 << 20)
    return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
try await client.shutdown()
