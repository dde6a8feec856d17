import GatehouseTesting
import RateLimiting
import Testing

@testable import ConnectorModel

@Suite("Limits and retries in connector files")
struct LimitsDecodingTests {
    func decode(_ yaml: String) -> ConnectorDecoder.Result {
        ConnectorDecoder(secrets: TestSecrets()).decode(yaml: yaml, file: "f.yaml", directory: ".")
    }

    @Test func connectorAndToolLimits() throws {
        let result = decode(
            """
            connector: x
            base_url: https://a.example
            limits:
              max_concurrent: 8
              rate_limit: 600/minute
            retries: { max: 2, backoff: 100ms, max_backoff: 2s, statuses: [503] }
            tools:
              - name: a
                description: A.
                path: /a
                max_response_bytes: 1MB
                limits:
                  rate_limit: { requests: 10, per: 1m, burst: 20 }
                retries: 0
            """)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description))")
        let connector = try #require(result.connector)
        #expect(connector.limits == CallLimits(maxConcurrent: 8, rateLimit: RateLimit(requests: 600, period: .seconds(60))))
        #expect(connector.retries == RetryPolicy(maxRetries: 2, backoff: .milliseconds(100), maxBackoff: .seconds(2), statuses: [503]))
        let tool = try #require(connector.tools.first)
        #expect(tool.limits.rateLimit == RateLimit(requests: 10, period: .seconds(60), burst: 20))
        #expect(tool.limits.maxConcurrent == nil)
        #expect(tool.retries?.maxRetries == 0)
        #expect(tool.maxResponseBytes == 1_000_000)
        #expect(connector.target.limits == connector.limits)
    }

    @Test(arguments: [
        ("limits: { max_concurrent: 0 }", "limits.max_concurrent must be between 1 and 100000"),
        ("limits: { rate_limit: lots }", "limits.rate_limit must look like 60/minute"),
        ("limits: { rate_limit: { requests: 5 } }", "limits.rate_limit needs both requests and per"),
        ("limits: { burst: 5 }", "unknown key 'burst'"),
        ("retries: { max: 11 }", "retries.max must be between 0 and 10"),
        ("retries: { statuses: [200] }", "retries.statuses entry must be between 400 and 599"),
        ("retries: { backof: 1s }", "did you mean 'backoff'"),
    ])
    func badLimitsAreExplained(line: String, message: String) {
        let problems = decode(
            """
            connector: x
            base_url: https://a.example
            \(line)
            tools:
              - name: a
                description: A.
                path: /a
            """
        ).diagnostics.map(\.description)
        #expect(problems.contains { $0.contains(message) }, "\(problems)")
        #expect(problems.allSatisfy { $0.hasPrefix("f.yaml:3:") }, "\(problems)")
    }

    @Test func retriesOnAPostAreRefusedUnlessMarkedIdempotent() {
        let refused = decode(ConnectorText.oneTool("    retries: 2", method: "POST")).diagnostics.map(\.description)
        #expect(refused.contains { $0.contains("retries apply only to idempotent calls: POST is not") }, "\(refused)")
        let accepted = decode(ConnectorText.oneTool("    annotations: { idempotent: true }\n    retries: 2", method: "POST"))
        #expect(accepted.diagnostics.isEmpty, "\(accepted.diagnostics.map(\.description))")
    }
}
