import Catalog
import GatehouseJSON
import MCPProtocol
import Upstream

extension CatalogToolProvider {
    /// Reads the next part of a cut answer. When the whole answer must be
    /// rebuilt, the call is made again exactly as a tool call would be —
    /// this endpoint's view, the caller's scopes, limits, audit — so a
    /// link opens nothing its holder could not call.
    func readAnswerPart(_ uri: String, context: CallContext) async -> ResourceOutcome {
        let caller = context.caller ?? .anonymous
        let read = await answerParts.read(uri, caller: context.caller?.subject, endpoint: endpoint) { name, arguments in
            let started = ContinuousClock.now
            guard let tool = catalog.tool(named: name) else {
                return .failed("\(name) is no longer served here, so the rest of its answer cannot be rebuilt.")
            }
            let connector = tool.target.connector
            if context.caller != nil, !tool.isAllowed(for: caller.scopes) {
                return .failed("Forbidden: \(name) needs the scopes \(requiredScopes(tool.definition.scopes).joined(separator: " "))")
            }
            let outcome = await invoker.invoke(
                tool.definition, target: tool.target, arguments: arguments, caller: caller,
                abandonments: context.cancellation.map { [SignalAbandonment(signal: $0)] } ?? [])
            metrics.toolCall(tool: name, connector: connector, outcome: outcome.kind.rawValue)
            if let upstream = outcome.upstreamDuration { metrics.upstreamDuration(connector: connector, upstream) }
            audit.record(
                tool: name, connector: connector, caller: caller, arguments: arguments, outcome: outcome.kind.rawValue,
                invocation: outcome, latency: ContinuousClock.now - started, era: context.era.rawValue, endpoint: endpoint)
            let result = outcome.result
            let text = result.content.first?["text"]?.stringValue
            guard !result.isError, outcome.userAction == nil, let whole = result.overflow?.full ?? text else {
                return .failed(text ?? "The rest of the \(name) answer could not be rebuilt.")
            }
            return .text(whole)
        }
        switch read {
        case .unknown:
            return .notFound
        case .refused(let reason):
            return .failed(reason)
        case .part(let text, let next, let mimeType):
            var entry: JSONObject = ["uri": .string(uri), "text": .string(text)]
            if let mimeType { entry["mimeType"] = .string(mimeType) }
            if let next { entry["_meta"] = [AnswerParts.nextPartMetaKey: .string(next)] }
            return .contents([.object(entry)])
        }
    }
}
