import GatehouseTesting
import InMemoryTracing
import Testing
import Tracing

@testable import Upstream

/// With a tracer, each upstream attempt is a client span below the
/// request's span, and the upstream is told that span.
@Suite("Upstream attempt spans")
struct UpstreamAttemptSpanTests {
    private func answer(_ status: Int) -> ScriptedUpstream.Answer {
        .respond(UpstreamResponse(status: status, contentType: "application/json", body: Array(#"{"ok":true}"#.utf8)))
    }

    /// Runs `body` inside a request span of `tracer`, as the gateway does.
    private func withRequestSpan<T>(_ tracer: InMemoryTracer, _ body: () async -> T) async -> (T, parent: InMemorySpan) {
        let parent = tracer.startSpan("tools/call t", context: .topLevel, ofKind: .server)
        let trace = RequestTrace(requestIDHeader: "req-1", span: parent, tracer: tracer)
        let result = await RequestTrace.$current.withValue(trace) { await body() }
        parent.end()
        return (result, parent)
    }

    @Test func eachAttemptIsAChildClientSpanWithHTTPAttributes() async throws {
        let decoded = try decodeTool("    retries: { max: 2, backoff: 1ms }", baseURL: "https://api.example.com:8443/v2")
        let client = ScriptedUpstream([answer(503), answer(200)])
        let tracer = InMemoryTracer()
        let invoker = ToolInvoker(client: client, sleep: { _ in })
        let (outcome, parent) = await withRequestSpan(tracer) { await invoker.call(decoded) }
        #expect(outcome.kind == .ok)
        let attempts = tracer.finishedSpans.filter { $0.kind == .client }
        try #require(attempts.count == 2)
        for span in attempts {
            #expect(span.parentSpanID == parent.spanID)
            #expect(span.traceID == parent.traceID)
            #expect(span.operationName == "GET")
            #expect(span.attributes.get("http.request.method") == .string("GET"))
            #expect(span.attributes.get("server.address") == .string("api.example.com"))
            #expect(span.attributes.get("server.port") == .int64(8443))
            #expect(span.attributes.get("url.full") == .string("https://api.example.com:8443/v2/items"))
            #expect(span.attributes.get("gatehouse.connector") == .string("test"))
        }
        #expect(attempts[0].attributes.get("http.response.status_code") == .int64(503))
        #expect(attempts[0].attributes.get("error.type") == .string("503"))
        #expect(attempts[0].status?.code == .error)
        #expect(attempts[0].attributes.get("http.request.resend_count") == nil)
        #expect(attempts[1].attributes.get("http.response.status_code") == .int64(200))
        #expect(attempts[1].attributes.get("http.request.resend_count") == .int64(1))
        #expect(attempts[1].status == nil)
        // Each request names its own attempt span to the upstream, once.
        for (request, span) in zip(client.requests, attempts) {
            #expect(request.headers.filter { $0.name == InMemoryTracer.spanIDKey }.map(\.value) == [span.spanID])
            #expect(request.header("X-Request-Id") == "req-1")
        }
    }

    @Test func aFailedAttemptSaysWhyWithoutTheUpstreamText() async throws {
        let decoded = try decodeTool()
        let client = ScriptedUpstream([.fail(.connectionFailed("refused by 10.0.0.7 with token abc"))])
        let tracer = InMemoryTracer()
        let (outcome, _) = await withRequestSpan(tracer) { await ToolInvoker(client: client).call(decoded) }
        #expect(outcome.kind == .unreachable)
        let span = try #require(tracer.finishedSpans.first { $0.kind == .client })
        #expect(span.attributes.get("error.type") == .string("connection_failed"))
        #expect(span.status?.code == .error)
        #expect(!"\(span.attributes)".contains("abc"))
    }

    @Test func withoutASpanTheCallIsNotTraced() async throws {
        let decoded = try decodeTool()
        let client = ScriptedUpstream([answer(200)])
        let trace = RequestTrace(requestIDHeader: nil, traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        _ = await RequestTrace.$current.withValue(trace) { await ToolInvoker(client: client).call(decoded) }
        let request = try #require(client.requests.first)
        #expect(request.headers.filter { $0.name == "traceparent" }.count == 1)
        #expect(request.header(InMemoryTracer.spanIDKey) == nil)
    }

    @Test func serverAddressesAreReadFromTheURL() {
        #expect(RequestTrace.serverAddress(of: "https://api.example.com/v1") == ("api.example.com", 443))
        #expect(RequestTrace.serverAddress(of: "http://127.0.0.1:8080/x?y=1") == ("127.0.0.1", 8080))
        #expect(RequestTrace.serverAddress(of: "http://user:pw@host:81") == ("host", 81))
        #expect(RequestTrace.serverAddress(of: "http://[::1]:9000/") == ("::1", 9000))
        #expect(RequestTrace.serverAddress(of: "http://[::1]/") == ("::1", 80))
        #expect(RequestTrace.serverAddress(of: "not a url") == (nil, nil))
    }
}
