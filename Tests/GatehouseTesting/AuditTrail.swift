import Gateway
import Synchronization

/// Keeps the audit records a gateway writes, so a test can read them and
/// nothing is written to the test's output.
public final class AuditTrail: AuditSink {
    private let records = Mutex<[AuditRecord]>([])

    public init() {}

    public var all: [AuditRecord] { records.withLock { $0 } }
    public func record(_ record: AuditRecord) { records.withLock { $0.append(record) } }
}
