import AuthorizationServer
import Logging

/// Writes authorization events as audit lines: always, whatever the log
/// level, like tool-call audit lines.
public struct AuthorizationAuditLog: AuthorizationEventSink {
    let logger: Logger

    public init(label: String = "gatehouse.audit") {
        var logger = Logger(label: label)
        logger.logLevel = .info
        self.logger = logger
    }

    public func record(_ event: AuthorizationEvent) {
        var metadata: Logger.Metadata = ["event": .string(event.kind.rawValue)]
        if let clientID = event.clientID { metadata["client_id"] = .string(clientID) }
        if let subject = event.subject { metadata["subject"] = .string(subject) }
        if !event.scopes.isEmpty { metadata["scopes"] = .string(event.scopes.joined(separator: " ")) }
        if let reason = event.reason { metadata["reason"] = .string(reason) }
        logger.info("authorization", metadata: metadata)
    }
}

/// Counts authorization events by kind for `/metrics`
/// (`gatehouse_authorization_events_total{event}`), so a burst of refusals
/// or revocations shows on a dashboard, not only in the audit log.
public struct AuthorizationEventMetrics: AuthorizationEventSink {
    let metrics: GatewayMetrics

    public init(metrics: GatewayMetrics) {
        self.metrics = metrics
    }

    public func record(_ event: AuthorizationEvent) {
        metrics.authorizationEvent(event.kind.rawValue)
    }
}

/// Hands each event to several sinks: the audit log and the metrics.
public struct AuthorizationEventSinks: AuthorizationEventSink {
    let sinks: [any AuthorizationEventSink]

    public init(_ sinks: [any AuthorizationEventSink]) {
        self.sinks = sinks
    }

    public func record(_ event: AuthorizationEvent) {
        for sink in sinks { sink.record(event) }
    }
}

extension AuthorizationEventSinks {
    /// Where authorization events go unless a test says otherwise: the
    /// audit log and the metrics.
    static func standard(metrics: GatewayMetrics) -> AuthorizationEventSinks {
        AuthorizationEventSinks([AuthorizationAuditLog(), AuthorizationEventMetrics(metrics: metrics)])
    }
}
