import Foundation

/// `gatehouse-bench [--quick]`: micro-benchmarks of the per-call work,
/// printed as a Markdown table. `--quick` runs a few iterations only, to
/// prove the harness works (the test suite does this).
let quick = CommandLine.arguments.contains("--quick")
let iterations = quick ? 20 : 2_000
var results: [Measurement] = []
results += try HotPathBenchmarks.run(iterations: iterations * 5)
results += try await TokenBenchmarks.run(iterations: iterations)
results += ObservabilityBenchmarks.run(iterations: iterations * 5)
results += try await TokenEndpointBenchmarks.run(iterations: quick ? 5 : 200)
results += try await CredentialBenchmarks.run(iterations: iterations * 2)
results += try await CatalogBenchmarks.run(iterations: iterations * 2)
results += try await AnswerBenchmarks.run(iterations: iterations)
print("| operation | time per operation |")
print("|---|---|")
for result in results {
    print("| \(result.name) | \(result.formatted) |")
}
