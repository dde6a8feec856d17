import Foundation

/// `gatehouse-bench [--quick] [--only GROUP]`: micro-benchmarks of the
/// per-call work, printed as a Markdown table. `--quick` runs a few
/// iterations only, to prove the harness works (the test suite does this);
/// `--only` runs one group (`hot-path`, `tokens`, `observability`,
/// `token-endpoint`, `credentials`, `catalog`, `answers`, `telemetry`), for profiling.
let arguments = CommandLine.arguments
let quick = arguments.contains("--quick")
let only = arguments.firstIndex(of: "--only").flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
let iterations = quick ? 20 : 2_000
func runs(_ group: String) -> Bool { only == nil || only == group }
var results: [Measurement] = []
if runs("hot-path") { results += try HotPathBenchmarks.run(iterations: iterations * 5) }
if runs("tokens") { results += try await TokenBenchmarks.run(iterations: iterations) }
if runs("observability") { results += ObservabilityBenchmarks.run(iterations: iterations * 5) }
if runs("token-endpoint") { results += try await TokenEndpointBenchmarks.run(iterations: quick ? 5 : 200) }
if runs("credentials") { results += try await CredentialBenchmarks.run(iterations: iterations * 2) }
if runs("catalog") { results += try await CatalogBenchmarks.run(iterations: iterations * 2) }
if runs("answers") { results += try await AnswerBenchmarks.run(iterations: iterations) }
if runs("telemetry") { results += try await TelemetryBenchmarks.run(iterations: iterations * 2) }
print("| operation | time per operation |")
print("|---|---|")
for result in results {
    print("| \(result.name) | \(result.formatted) |")
}
