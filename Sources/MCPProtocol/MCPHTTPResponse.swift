import HTTPTypes

/// What the endpoint answers to one HTTP request.
public struct MCPHTTPResponse: Sendable {
    public var status: HTTPResponse.Status
    public var headerFields: HTTPFields
    public var body: [UInt8]

    public init(status: HTTPResponse.Status, headerFields: HTTPFields = [:], body: [UInt8] = []) {
        self.status = status
        self.headerFields = headerFields
        self.body = body
    }

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
            var framed: [UInt8] = Array("event: message\ndata: ".utf8)
            framed.reserveCapacity(body.count + 24)
            framed += body
            framed += Array("\n\n".utf8)
            return MCPHTTPResponse(status: status, headerFields: fields, body: framed)
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
