import ConnectorModel
import GatehouseJSON
import Logging

/// Runs one tool call: validate the arguments, build the request, call the
/// upstream, shape its answer. Every failure becomes a tool result with
/// `isError`, written so the model can correct itself.
public struct ToolInvoker: Sendable {
    public var client: any UpstreamClient
    public var builder: RequestBuilder
    public var shaper: ResponseShaper

    public init(client: any UpstreamClient, builder: RequestBuilder = RequestBuilder(), shaper: ResponseShaper = ResponseShaper()) {
        self.client = client
        self.builder = builder
        self.shaper = shaper
    }

    public struct Outcome: Sendable {
        public var result: ToolResult
        /// The upstream status, when the upstream answered.
        public var upstreamStatus: Int?
    }

    public func invoke(
        _ tool: ToolDefinition, target: UpstreamTarget, arguments: JSONObject, caller: CallerIdentity
    ) async -> Outcome {
        let violations = tool.inputSchema.validate(.object(arguments))
        guard violations.isEmpty else {
            let details = violations.map(\.description).joined(separator: "; ")
            return Outcome(result: .error("Invalid arguments for \(tool.name): \(details)."), upstreamStatus: nil)
        }
        let request: UpstreamRequest
        do {
            request = try builder.build(tool: tool, target: target, arguments: arguments, caller: caller)
        } catch {
            return Outcome(result: .error("Invalid arguments for \(tool.name): \(error.message)."), upstreamStatus: nil)
        }
        do {
            let response = try await client.send(request)
            return Outcome(result: shaper.shape(response, tool: tool, request: request), upstreamStatus: response.status)
        } catch {
            let message: String
            switch error {
            case .timedOut(let timeout):
                message = "The upstream API did not answer \(request.method.rawValue) \(request.displayURL) within \(timeout.formatted). It may be slow or down; try again later or with a narrower request."
            case .connectionFailed(let reason):
                message = "The upstream API at \(target.baseURL.origin) could not be reached (\(reason)). It may be down; try again later."
            case .responseTooLarge(let limit):
                message = "The upstream answer to \(request.method.rawValue) \(request.displayURL) is larger than \(limit) bytes and was refused. Narrow the request (filters, a smaller limit)."
            }
            return Outcome(result: .error(message), upstreamStatus: nil)
        }
    }
}

extension Duration {
    var formatted: String {
        let ms = milliseconds
        return ms % 1000 == 0 ? "\(ms / 1000)s" : "\(ms)ms"
    }
}
