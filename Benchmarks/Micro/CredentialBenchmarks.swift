import Caller
import ConnectorModel
import Foundation
import GatehouseJSON
import Gateway
import OAuth
import Upstream

/// An upstream that answers at once, so a call measures the gateway alone.
struct InstantUpstream: UpstreamClient {
    static let answer = UpstreamResponse(status: 200, contentType: "application/json", body: Array(#"{"id":7,"name":"Ann"}"#.utf8))
    func send(_ request: UpstreamRequest) async throws(UpstreamFailure) -> UpstreamResponse { Self.answer }
}

/// A token endpoint answering in process: an exchange costs the gateway's
/// own work (form, parse, cache) without a network round trip.
struct InstantTokenEndpoint: AuthHTTPClient {
    static let answer = Array(#"{"access_token":"eyJhbGciOiJFUzI1NiJ9.exchanged-token-for-the-orders-api.c2lnbmF0dXJl","token_type":"Bearer","expires_in":3600}"#.utf8)
    func get(_ url: String) async throws -> (status: Int, body: [UInt8]) { (404, []) }
    func postForm(_ url: String, form: [(String, String)], basicAuth: (user: String, password: String)?) async throws
        -> (status: Int, body: [UInt8])
    { (200, Self.answer) }
}

/// A whole tool call through the invoker (arguments, request, credential,
/// shaping) with a static bearer token and with an exchanged per-user
/// token, from the cache and fetched.
enum CredentialBenchmarks {
    static func connector(_ auth: String) -> Connector {
        let decoded = ConnectorDecoder().decode(
            yaml: """
                connector: orders
                base_url: https://orders.example.test
                auth:
                  \(auth)
                tools:
                  - { name: get_order, description: One order., path: "/orders/{id}", parameters: { id: integer } }
                """, file: "orders.yaml")
        guard let connector = decoded.connector else { fatalError("benchmark connector is invalid: \(decoded.diagnostics)") }
        return connector
    }

    static func run(iterations: Int) async throws -> [Measurement] {
        let staticConnector = connector("bearer: service-token-for-the-orders-api")
        let exchanged = connector(
            "token_exchange: { token_url: \"https://sts.example.test/token\", client_id: gatehouse, client_secret: s3cret, audience: orders }")
        let plain = ToolInvoker(client: InstantUpstream())
        let perUser = ToolInvoker(client: InstantUpstream(), credentials: GatewayCredentials(http: InstantTokenEndpoint()))
        var alice = CallerIdentity(subject: "alice")
        alice.presentedToken = PresentedToken("the-token-alice-presented-at-mcp")
        let arguments: JSONObject = ["id": 7]
        // The first call fills the cache.
        _ = await perUser.invoke(exchanged.tools[0], target: exchanged.target, arguments: arguments, caller: alice)
        var counter = 0
        return [
            await measureAsync("tool call, static bearer token (invoker, instant upstream)", iterations: iterations) {
                blackHole(await plain.invoke(staticConnector.tools[0], target: staticConnector.target, arguments: arguments, caller: alice))
            },
            await measureAsync("tool call, per-user exchanged token from the cache", iterations: iterations) {
                blackHole(await perUser.invoke(exchanged.tools[0], target: exchanged.target, arguments: arguments, caller: alice))
            },
            await measureAsync("tool call that needs an exchange (token endpoint in process)", iterations: max(1, iterations / 4)) {
                counter += 1
                var someone = CallerIdentity(subject: "user-\(counter)")
                someone.presentedToken = PresentedToken("token-of-user-\(counter)")
                blackHole(await perUser.invoke(exchanged.tools[0], target: exchanged.target, arguments: arguments, caller: someone))
            },
        ]
    }
}
