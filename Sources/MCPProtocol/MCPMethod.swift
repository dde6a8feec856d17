import GatehouseJSON

/// What the server does for one JSON-RPC method, in the eras that serve it.
///
/// One table for both eras: a method is written once, and an era only
/// decides which checks a request passes before it gets here.
struct MCPMethod: Sendable {
    /// The eras in which the method exists; elsewhere it is not found.
    let eras: Set<ProtocolEra>
    /// The parameter that names what the method acts on (`params.name` of
    /// `tools/call`); 2026-07-28 clients repeat it in `Mcp-Name`.
    let namedBy: String?
    let handle: @Sendable (MCPServer, MCPRequest) async -> MCPHTTPResponse

    init(
        _ eras: Set<ProtocolEra>, namedBy: String? = nil,
        handle: @escaping @Sendable (MCPServer, MCPRequest) async -> MCPHTTPResponse
    ) {
        self.eras = eras
        self.namedBy = namedBy
        self.handle = handle
    }

    static let table: [String: MCPMethod] = [
        "ping": MCPMethod([.legacy]) { _, request in
            .message(JSONRPCEncoder.result(id: request.id, result: [:]), eventStream: request.eventStream)
        },
        // Claude has been seen probing with server/discover on a legacy
        // session and giving up on -32601; answering costs nothing.
        "server/discover": MCPMethod([.modern, .legacy]) { server, request in server.discover(request) },
        "tools/list": MCPMethod([.modern, .legacy]) { server, request in server.toolsList(request) },
        "tools/call": MCPMethod([.modern, .legacy], namedBy: "name") { server, request in await server.toolsCall(request) },
        "subscriptions/listen": MCPMethod([.modern]) { server, request in server.listen(request) },
        "prompts/list": MCPMethod([.modern, .legacy]) { server, request in server.promptsList(request) },
        "prompts/get": MCPMethod([.modern, .legacy], namedBy: "name") { server, request in server.promptsGet(request) },
        "resources/list": MCPMethod([.modern, .legacy]) { server, request in server.resourcesList(request) },
        "resources/templates/list": MCPMethod([.modern, .legacy]) { server, request in server.resourceTemplatesList(request) },
        "resources/read": MCPMethod([.modern, .legacy], namedBy: "uri") { server, request in await server.resourcesRead(request) },
    ]

    /// The value of the naming parameter, if it is a string.
    func name(in params: JSONObject) -> String? {
        guard let namedBy, case .string(let name)? = params[namedBy] else { return nil }
        return name
    }

    /// The error for a request without its naming parameter.
    func missingName(_ method: String) -> JSONRPCError {
        .invalidParams("\(method) needs params.\(namedBy ?? "name") (a string)")
    }
}

/// One JSON-RPC request that passed its era's checks, on its way to a
/// method of the table.
struct MCPRequest: Sendable {
    var id: JSONRPCID
    var params: JSONObject
    /// Answer as a one-event SSE stream (the client accepts only that).
    var eventStream: Bool
    var context: CallContext
    /// The legacy session the request came on; `nil` for 2026-07-28.
    var session: LegacySession?
    /// The value of the method's naming parameter, read once by the era's
    /// checks; empty for methods without one.
    var name: String = ""
}
