import Caller
import ConnectorModel
import GatehouseJSON
import GatehouseTesting
import Testing

@testable import Upstream

/// The timeout is long on purpose: the scripted upstream answers at once, and
/// on a busy machine a short one could fire before this task is scheduled,
/// turning a scripted answer into the invoker's own timeout.
private func ticketTool() throws -> DecodedTool {
    try decodeTool(
        """
            parameters:
              id: integer
              verbose: boolean
              trace: { type: string, in: header, as: X-Trace }
            response:
              select: data
            timeout: 120s
        """, path: "/tickets/{id}")
}

private let okResponse = UpstreamResponse(
    status: 200, reason: "OK", contentType: "application/json", body: Array(#"{"data":{"id":7}}"#.utf8))

private func invoke(
    _ client: ScriptedUpstream, _ decoded: DecodedTool, _ arguments: JSONObject, caller: CallerIdentity = .anonymous
) async -> ToolInvoker.Outcome {
    await ToolInvoker(client: client).call(decoded, arguments, caller: caller)
}

// MARK: - Tests

@Test func successfulCallShapesTheAnswer() async throws {
    let client = ScriptedUpstream(.respond(okResponse))
    let outcome = await invoke(client, try ticketTool(), ["id": 7, "verbose": true])
    #expect(!outcome.result.isError)
    #expect(outcome.result.firstText == #"{"id":7}"#)
    #expect(outcome.upstreamStatus == 200)
    let requests = client.requests
    #expect(requests.count == 1)
    #expect(requests.first?.url == "https://api.example.com/v2/tickets/7?verbose=true")
    #expect(requests.first?.method == .GET)
    #expect(requests.first?.timeout == .seconds(120))
}

@Test func invalidArgumentsNeverReachTheUpstream() async throws {
    let client = ScriptedUpstream(.respond(okResponse))
    let decoded = try ticketTool()

    let missing = await invoke(client, decoded, ["verbose": true])
    #expect(missing.result.isError)
    #expect(missing.upstreamStatus == nil)
    #expect(missing.result.firstText?.hasPrefix("Invalid arguments for t: ") == true)
    #expect(missing.result.firstText?.contains("id") == true)

    let wrongType = await invoke(client, decoded, ["id": "seven"])
    #expect(wrongType.result.isError)
    #expect(wrongType.result.firstText?.contains("must be an integer, got string") == true)

    let unknown = await invoke(client, decoded, ["id": 1, "verbos": true])
    #expect(unknown.result.isError)
    #expect(unknown.result.firstText?.contains("verbos") == true)

    #expect(client.requests.isEmpty)
}

@Test func argumentsTheBuilderRefusesNeverReachTheUpstream() async throws {
    let client = ScriptedUpstream(.respond(okResponse))
    let outcome = await invoke(client, try ticketTool(), ["id": 1, "trace": "a\r\nX-Evil: 1"])
    #expect(outcome.result.isError)
    #expect(
        outcome.result.firstText == "Invalid arguments for t: the value for header X-Trace must not contain line breaks.")
    #expect(client.requests.isEmpty)
}

/// Each way the network can fail, and the tool error a model reads for it.
@Test(arguments: [
    (
        UpstreamFailure.timedOut(.seconds(5)),
        "The upstream API did not answer GET https://api.example.com/v2/tickets/3 within 5s. It may be slow or down; try again later or with a narrower request."
    ),
    (
        .connectionFailed("connection refused"),
        "The upstream API at https://api.example.com could not be reached (connection refused). It may be down; try again later."
    ),
    (
        .responseTooLarge(limit: 1000),
        "The upstream answer to GET https://api.example.com/v2/tickets/3 is larger than 1000 bytes and was refused. Narrow the request (filters, a smaller limit)."
    ),
])
func networkFailuresBecomeToolErrors(failure: UpstreamFailure, text: String) async throws {
    let client = ScriptedUpstream(.fail(failure))
    let outcome = await invoke(client, try ticketTool(), ["id": 3])
    #expect(outcome.result.isError)
    #expect(outcome.upstreamStatus == nil)
    #expect(outcome.result.firstText == text)
    #expect(client.requests.count == 1)
}

@Test func subSecondTimeoutsAreShownInMilliseconds() async throws {
    let client = ScriptedUpstream(.fail(.timedOut(.milliseconds(1500))))
    let outcome = await invoke(client, try ticketTool(), ["id": 3])
    #expect(outcome.result.firstText?.contains("within 1500ms.") == true)
    #expect(Duration.milliseconds(250).formatted == "250ms")
    #expect(Duration.seconds(2).formatted == "2s")
    #expect(Duration.seconds(90).milliseconds == 90_000)
}

@Test func upstreamErrorStatusIsReportedWithTheStatus() async throws {
    let client = ScriptedUpstream(
        .respond(UpstreamResponse(status: 404, reason: "Not Found", contentType: "application/json", body: Array("{}".utf8))))
    let outcome = await invoke(client, try ticketTool(), ["id": 9])
    #expect(outcome.result.isError)
    #expect(outcome.upstreamStatus == 404)
    #expect(outcome.result.firstText?.hasPrefix("The upstream API answered HTTP 404 Not Found to GET") == true)
}

@Test func callerIdentityReachesTheRequest() async throws {
    let decoded = try decodeTool("    headers:\n      X-User: \"{{ user.sub }}\"")
    let client = ScriptedUpstream(.respond(okResponse))
    _ = await invoke(client, decoded, [:], caller: CallerIdentity(subject: "sub-1"))
    #expect(client.requests.first?.header("X-User") == "sub-1")
}

@Test func concurrentCallsAreAllRecorded() async throws {
    let decoded = try ticketTool()
    let client = ScriptedUpstream(.respond(okResponse))
    await withTaskGroup(of: Void.self) { group in
        for id in 1...20 {
            group.addTask { _ = await invoke(client, decoded, ["id": .int(Int64(id))]) }
        }
    }
    let urls = Set(client.requests.map(\.url))
    #expect(urls.count == 20)
    #expect(urls.contains("https://api.example.com/v2/tickets/20"))
}

@Test func describesCommonNetworkErrors() {
    struct Fake: Error, CustomStringConvertible { var description: String }
    #expect(HTTPUpstreamClient.describe(Fake(description: "connect failed: Connection refused (errno 111)")) == "connection refused")
    #expect(HTTPUpstreamClient.describe(Fake(description: "getaddrinfo failed")) == "host name could not be resolved")
    #expect(HTTPUpstreamClient.describe(Fake(description: String(repeating: "z", count: 500))).count == 200)
    #expect(HTTPUpstreamClient.describe(Fake(description: "odd")) == "odd")
}
