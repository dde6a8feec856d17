import HTTPTypes

/// What the endpoint answers to one HTTP request.
public struct MCPHTTPResponse: Sendable {
    public var status: HTTPResponse.Status
    public var headerFields: HTTPFields
    public var body: [UInt8]
    /// For long-lived SSE responses: chunks written after `body`, until the
    /// sequence ends.
    public var stream: AsyncStream<[UInt8]>?
    /// The JSON-RPC method this answers, when the body named one: for
    /// metrics and logs.
    public var method: String?

    public init(status: HTTPResponse.Status, headerFields: HTTPFields = [:], body: [UInt8] = [], stream: AsyncStream<[UInt8]>? = nil) {
        self.status = status
        self.headerFields = headerFields
        self.body = body
        self.stream = stream
    }

    /// An SSE response that stays open, writing each event of `events` as
    /// `render` frames it, until `render` returns `nil` or the events end.
    static func eventStream(
        first: [UInt8], events: AsyncStream<ServerEvent>, render: @escaping @Sendable (ServerEvent) -> [UInt8]?
    ) -> MCPHTTPResponse {
        var fields = HTTPFields()
        fields[.contentType] = "text/event-stream"
        fields[.cacheControl] = "no-cache"
        fields[.xAccelBuffering] = "no"
        let stream = AsyncStream<[UInt8]> { continuation in
            let task = Task {
                for await event in events {
                    guard let chunk = render(event) else { break }
                    continuation.yield(chunk)
                    if event == .shutdown { break }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        return MCPHTTPResponse(status: .ok, headerFields: fields, body: first, stream: stream)
    }

    /// One SSE `message` event carrying a JSON-RPC message.
    static func sseEvent(_ json: [UInt8]) -> [UInt8] {
        var framed: [UInt8] = Array("event: message\ndata: ".utf8)
        framed.reserveCapacity(json.count + 24)
        framed += json
        framed += Array("\n\n".utf8)
        return framed
    }

    static let sseKeepAlive: [UInt8] = Array(": keep-alive\n\n".utf8)

    /// A JSON-RPC message as `application/json`, or as a one-event SSE stream
    /// when the client accepts only that.
    static func message(_ body: [UInt8], status: HTTPResponse.Status = .ok, eventStream: Bool, headers: HTTPFields = [:])
        -> MCPHTTPResponse
    {
        var fields = headers
        if eventStream {
            fields[.contentType] = "text/event-stream"
            fields[.cacheControl] = "no-cache"
            fields[.xAccelBuffering] = "no"
            return MCPHTTPResponse(status: status, headerFields: fields, body: sseEvent(body))
        }
        fields[.contentType] = "application/json"
        return MCPHTTPResponse(status: status, headerFields: fields, body: body)
    }

    static let accepted = MCPHTTPResponse(status: .accepted)

    static func methodNotAllowed() -> MCPHTTPResponse {
        var fields = HTTPFields()
        fields[.allow] = "POST"
        fields[.contentType] = "application/json"
        let body = JSONRPCEncoder.error(
            id: nil, error: JSONRPCError(code: JSONRPCError.invalidRequest, message: "Method not allowed: this endpoint accepts POST"))
        return MCPHTTPResponse(status: .methodNotAllowed, headerFields: fields, body: body)
    }

    static func error(_ error: JSONRPCError, id: JSONRPCID? = nil, status: HTTPResponse.Status) -> MCPHTTPResponse {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        return MCPHTTPResponse(status: status, headerFields: fields, body: JSONRPCEncoder.error(id: id, error: error))
    }
}
