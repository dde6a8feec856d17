import DequeModule
import Foundation
import Synchronization

/// What the console shows of recent work: the last audit records (as the
/// audit log has them: argument keys, values only when the audit log
/// keeps them) and, per tool, calls, failures and the latencies of its
/// latest calls.
///
/// It sits behind the audit log as one more sink, so every call the audit
/// log sees is counted once, whichever path it took. Memory is bounded:
/// ``recentKept`` records and ``latenciesKept`` latencies per tool.
public final class OperatorActivity: AuditSink {
    /// One audit record and when it was written.
    public struct Entry: Sendable {
        public var at: Date
        public var record: AuditRecord
    }

    /// One tool's calls since the process started.
    public struct Tally: Sendable {
        public var calls = 0
        public var failures = 0
        public var lastCall: Date?
        /// The latest latencies, oldest overwritten first.
        var latencies: [Duration] = []
        var nextSlot = 0

        public var errorRate: Double { calls == 0 ? 0 : Double(failures) / Double(calls) }

        /// The latency below which `fraction` of the kept calls fell
        /// (nearest rank), nil before the first call.
        public func percentile(_ fraction: Double) -> Duration? {
            guard !latencies.isEmpty else { return nil }
            let sorted = latencies.sorted()
            let rank = Int((fraction * Double(sorted.count)).rounded(.up))
            return sorted[min(max(rank, 1), sorted.count) - 1]
        }

        mutating func add(_ latency: Duration, failed: Bool, at date: Date, keep: Int) {
            calls += 1
            if failed { failures += 1 }
            lastCall = date
            if latencies.count < keep {
                latencies.append(latency)
            } else {
                latencies[nextSlot] = latency
            }
            nextSlot = (nextSlot + 1) % keep
        }
    }

    public struct Snapshot: Sendable {
        /// Newest first.
        public var recent: [Entry]
        public var tools: [String: Tally]
    }

    private struct State {
        var recent = Deque<Entry>()
        var tools: [String: Tally] = [:]
    }

    public static let recentKept = 200
    public static let latenciesKept = 512
    /// Outcomes that are not failures: the call did what was asked, or is
    /// waiting for the user to confirm it.
    static let successes: Set<String> = ["ok", "confirmation_asked"]

    private let next: any AuditSink
    private let state = Mutex(State())
    private let clock: @Sendable () -> Date

    public init(forwardingTo next: any AuditSink, clock: @escaping @Sendable () -> Date = Date.init) {
        self.next = next
        self.clock = clock
    }

    public func record(_ record: AuditRecord) {
        next.record(record)
        let date = clock()
        let failed = !Self.successes.contains(record.outcome)
        state.withLock { state in
            if state.recent.count == Self.recentKept { state.recent.removeFirst() }
            state.recent.append(Entry(at: date, record: record))
            // Only served tools get a tally: a client names unknown tools at will.
            guard record.connector != nil else { return }
            state.tools[record.tool, default: Tally()].add(record.latency, failed: failed, at: date, keep: Self.latenciesKept)
        }
    }

    public var snapshot: Snapshot {
        state.withLock { Snapshot(recent: $0.recent.reversed(), tools: $0.tools) }
    }
}
