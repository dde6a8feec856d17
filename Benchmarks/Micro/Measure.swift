import Foundation

/// Times `body` over `iterations` runs, five rounds after a warm-up, and
/// reports the median round as time per operation. Plain and repeatable; the
/// figures go to BENCHMARKS.md.
struct Measurement {
    var name: String
    var nanosecondsPerOperation: Double
    /// What to print instead of a time (a memory figure).
    var text: String?

    var formatted: String {
        if let text { return text }
        return nanosecondsPerOperation >= 1000
            ? String(format: "%.2f µs", nanosecondsPerOperation / 1000) : String(format: "%.0f ns", nanosecondsPerOperation)
    }
}

func measure(_ name: String, iterations: Int, _ body: () throws -> Void) rethrows -> Measurement {
    for _ in 0..<max(1, iterations / 10) { try body() }
    var rounds: [Double] = []
    for _ in 0..<5 {
        let start = ContinuousClock.now
        for _ in 0..<iterations { try body() }
        let elapsed = ContinuousClock.now - start
        rounds.append(Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9)
    }
    rounds.sort()
    return Measurement(name: name, nanosecondsPerOperation: rounds[2] / Double(iterations))
}

func measureAsync(_ name: String, iterations: Int, _ body: () async throws -> Void) async rethrows -> Measurement {
    for _ in 0..<max(1, iterations / 10) { try await body() }
    var rounds: [Double] = []
    for _ in 0..<5 {
        let start = ContinuousClock.now
        for _ in 0..<iterations { try await body() }
        let elapsed = ContinuousClock.now - start
        rounds.append(Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9)
    }
    rounds.sort()
    return Measurement(name: name, nanosecondsPerOperation: rounds[2] / Double(iterations))
}

/// Keeps the optimiser from deleting work whose result is unused.
@inline(never) func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}
