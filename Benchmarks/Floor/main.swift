// The framework floor: the same server and client stack as the gateway
// (Hummingbird in front, AsyncHTTPClient behind, the same client settings),
// doing no gateway work at all. POST /mcp reads the body, GETs the upstream
// URL and answers with the upstream's bytes. Its latency and throughput bound
// what any gateway built on these two libraries can reach on a machine.
//
//     gatehouse-floor <port> <upstream-url> [swift|nio]
//
// `nio` runs Swift's tasks on NIO's event loops instead of Swift's own
// thread pool, which saves thread switches at low concurrency.
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
let client = HTTPUpstreamClient.makeHTTPClient()

if arguments.count > 3, arguments[3] == "pipeline" || arguments[3] == "pipeline-task" {
    try await runPipelineFloor(port: port, upstreamURL: upstreamURL, client: client, useTask: arguments[3] == "pipeline-task")
    exit(0)
}
if arguments.count > 3, arguments[3].hasPrefix("pinned") {
    try await runPinnedFloor(port: port, upstreamURL: upstreamURL, useTask: arguments[3] == "pinned-task")
    exit(0)
}
let router = Router()
router.get("/healthz") { _, _ in "ok" }
let pools = LoopPools(group: .singleton, upstreamURL: upstreamURL)
let ownClient = arguments.count > 4 && arguments[4] == "own-client"
router.post("/mcp") { request, _ -> Response in
    _ = try await request.body.collect(upTo: 1 << 20)
    if ownClient {
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: try await pools.fetch()))
    }
    let upstream = try await client.execute(HTTPClientRequest(url: upstreamURL), deadline: .now() + .seconds(10))
    let body = try await upstream.body.collect(upTo: 1 << 20)
    return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
try await client.shutdown()
