import Catalog
import ConnectorModel
import Foundation
import GatehouseJSON

/// Everything the console page shows, read from the served catalogue, the
/// reload history and the recent activity at one moment, and turned into
/// text once. No value of a credential is in it: connectors say which kind
/// of credential they use, never what it is.
struct ConsoleView: Sendable {
    struct Tool: Sendable {
        var name: String
        var title: String
        var request: String
        var parameters: String
        var annotations: String
        var scopes: String
        var fingerprint: String
        var changed: String
        var lock: String
    }

    struct Connector: Sendable {
        var name: String
        var file: String
        var auth: String
        var state: String
        var tools: [Tool]
    }

    struct Problem: Sendable {
        var location: String
        var message: String
    }

    struct Reload: Sendable {
        var at: String
        var changes: [String]
    }

    struct ToolActivity: Sendable {
        var tool: String
        var calls: Int
        var errorRate: String
        var p50: String
        var p95: String
        var p99: String
        var last: String
    }

    struct Call: Sendable {
        var at: String
        var tool: String
        var subject: String
        var outcome: String
        var status: String
        var latency: String
        var arguments: String
        var isFailure: Bool
    }

    var version: String
    var generation: UInt64
    var connectors: [Connector]
    var problems: [Problem]
    var lastReload: String
    var reloadCounts: String
    var lastError: String?
    var reloads: [Reload]
    var activity: [ToolActivity]
    var calls: [Call]

    /// - Parameter folder: the connector folder, left out of file names.
    init(version: String, folder: String, catalog: Catalog, reloads snapshot: ReloadState.Snapshot, activity: OperatorActivity.Snapshot?) {
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        func relative(_ file: String) -> String { file.hasPrefix(prefix) ? String(file.dropFirst(prefix.count)) : file }
        self.version = version
        generation = catalog.generation
        let held = Dictionary(snapshot.lockDecisions.map { ($0.tool, $0) }, uniquingKeysWith: { first, _ in first })
        var connectors: [Connector] = []
        for file in snapshot.files {
            guard let record = snapshot.records[file], let served = record.served else { continue }
            let tools = catalog.tools.filter { $0.target.connector == served.name }.map { tool in
                Self.tool(tool, changed: snapshot.changedAt[tool.name], held: held[tool.name])
            }
            connectors.append(Connector(
                name: served.name, file: relative(file), auth: served.auth?.kindName ?? "none",
                state: record.isServingLastGood ? "serving the last good version" : "ok", tools: tools))
        }
        self.connectors = connectors
        problems = (snapshot.diagnostics + snapshot.folderProblems).map {
            Problem(location: "\(relative($0.file)):\($0.line):\($0.column)", message: $0.message)
        }
        for decision in snapshot.lockDecisions where decision.kind == .withheld {
            problems.append(Problem(location: "connectors.lock", message: "\(decision.tool) is withheld until the lock is updated"))
        }
        lastReload = snapshot.lastReload.map(Self.time) ?? "never"
        reloadCounts = "\(snapshot.succeeded) succeeded, \(snapshot.failed) failed"
        lastError = snapshot.lastError
        reloads = snapshot.recentChanges.map { entry in
            Reload(
                at: Self.time(entry.date),
                changes: entry.changes.map { change in
                    let fields = change.fields.isEmpty ? "" : " (" + change.fields.map(\.name).joined(separator: ", ") + ")"
                    return "\(change.tool) \(change.kind.rawValue)\(fields)"
                })
        }
        let tallies = activity?.tools ?? [:]
        self.activity = tallies.keys.sorted().map { name in
            let tally = tallies[name]!
            return ToolActivity(
                tool: name, calls: tally.calls, errorRate: String(format: "%.1f%%", tally.errorRate * 100),
                p50: Self.milliseconds(tally.percentile(0.5)), p95: Self.milliseconds(tally.percentile(0.95)),
                p99: Self.milliseconds(tally.percentile(0.99)), last: tally.lastCall.map(Self.time) ?? "")
        }
        calls = (activity?.recent ?? []).prefix(50).map { entry in
            let record = entry.record
            let arguments = record.arguments.map { JSONValue.object($0).jsonString } ?? record.argumentKeys.joined(separator: ", ")
            return Call(
                at: Self.time(entry.at), tool: record.tool, subject: record.subject, outcome: record.outcome,
                status: record.upstreamStatus.map(String.init) ?? "", latency: Self.milliseconds(record.latency), arguments: arguments,
                isFailure: !OperatorActivity.successes.contains(record.outcome))
        }
    }

    static func tool(_ tool: CatalogTool, changed: Date?, held: LockGate.Decision?) -> Tool {
        let definition = tool.definition
        let parameters = definition.parameters.map { $0.required ? "\($0.name)*" : $0.name }.joined(separator: ", ")
        var annotations: [String] = []
        if definition.annotations.readOnly == true { annotations.append("read-only") }
        if definition.annotations.destructive == true { annotations.append("destructive") }
        if definition.annotations.idempotent == true { annotations.append("idempotent") }
        if definition.annotations.openWorld == true { annotations.append("open world") }
        if definition.confirmation != nil { annotations.append("asks first") }
        return Tool(
            name: tool.name, title: definition.annotations.title ?? definition.title ?? "",
            request: "\(definition.method.rawValue) \(definition.path.source)", parameters: parameters,
            annotations: annotations.joined(separator: ", "), scopes: definition.scopes.joined(separator: " "),
            fingerprint: String(tool.fingerprint.prefix(19)), changed: changed.map(time) ?? "",
            lock: held.map { $0.kind == .keptLocked ? "locked version served" : "withheld" } ?? "")
    }

    static func time(_ date: Date) -> String { date.formatted(.iso8601) }

    static func milliseconds(_ duration: Duration?) -> String {
        guard let duration else { return "" }
        let (seconds, attoseconds) = duration.components
        return String(format: "%.1f ms", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
    }
}
