import GatehouseJSON
import Synchronization

@testable import DeploymentDoctor

/// A deployment answered from a script instead of a network: by default
/// configured the way Claude needs, each property a setting a test can get
/// wrong.
struct ScriptedDeployment: DoctorTransport {
    var base = "https://mcp.example.com"
    var path = "/mcp"
    var issuer = "https://login.example.com"
    var requiresSignIn = true
    var token = "good-token-0123456789"
    /// nil: no challenge header at all.
    var challenge: String? = #"Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="mcp""#
    /// What the metadata names as the resource; the endpoint's URL when nil.
    var resource: String?
    var servesRootMetadata = true
    var issuerMetadata: JSONObject = [
        "issuer": "https://login.example.com",
        "authorization_endpoint": "https://login.example.com/authorize",
        "token_endpoint": "https://login.example.com/token",
        "registration_endpoint": "https://login.example.com/register",
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_post"],
    ]
    var registration: (status: Int, body: String) = (201, #"{"client_id":"c-1","redirect_uris":["https://claude.ai/api/mcp/auth_callback"]}"#)
    var discoverIsUnknown = false
    var tools: [JSONValue] = [
        ["name": "list_tickets", "description": "Lists tickets.", "inputSchema": ["type": "object"], "annotations": ["readOnlyHint": true]],
        ["name": "create_ticket", "description": "Opens a ticket.", "inputSchema": ["type": "object"], "annotations": ["destructiveHint": false]],
    ]
    var acceptsAnyOrigin = false
    /// The status of a probe with `Accept: */*`, when the server mishandles it.
    var looseProbeStatus: Int?
    var eventStreamAnswers = false
    var unreachable = false
    let sent = Sent()

    final class Sent: Sendable {
        let requests = Mutex<[DoctorRequest]>([])
        var all: [DoctorRequest] { requests.withLock { $0 } }
    }

    var url: String { base + path }

    func send(_ request: DoctorRequest) async throws(DoctorTransportError) -> DoctorResponse {
        sent.requests.withLock { $0.append(request) }
        if unreachable { throw DoctorTransportError("connection refused") }
        let header = { (name: String) in request.headers.first { $0.name.lowercased() == name.lowercased() }?.value }
        switch (request.method, request.url) {
        case ("POST", url):
            return endpoint(request, header: header)
        case ("GET", url):
            return DoctorResponse(status: 405)
        case ("GET", base + "/.well-known/oauth-protected-resource" + path),
            ("GET", base + "/.well-known/oauth-protected-resource") where servesRootMetadata:
            return json(200, ["resource": .string(resource ?? url), "authorization_servers": [.string(issuer)], "scopes_supported": ["mcp"]])
        case ("GET", issuer + "/.well-known/oauth-authorization-server"):
            return json(200, .object(issuerMetadata))
        case ("POST", issuer + "/register"):
            return DoctorResponse(status: registration.status, headers: [("Content-Type", "application/json")], body: Array(registration.body.utf8))
        default:
            return DoctorResponse(status: 404)
        }
    }

    private func endpoint(_ request: DoctorRequest, header: (String) -> String?) -> DoctorResponse {
        if let origin = header("origin"), !acceptsAnyOrigin, origin != base {
            return json(403, ["jsonrpc": "2.0", "id": nil, "error": ["code": -32600, "message": "Forbidden: origin not allowed"]])
        }
        if header("accept") == "*/*", let looseProbeStatus { return DoctorResponse(status: looseProbeStatus) }
        if requiresSignIn, header("authorization") != "Bearer \(token)" {
            var headers: [(name: String, value: String)] = []
            if let challenge {
                let presented = header("authorization") != nil
                headers.append(("WWW-Authenticate", presented ? challenge + #", error="invalid_token", error_description="the token has expired""# : challenge))
            }
            return DoctorResponse(status: 401, headers: headers)
        }
        guard let message = try? JSONParser.parse(request.body ?? []) else { return DoctorResponse(status: 400) }
        let id = message["id"] ?? .null
        switch message["method"]?.stringValue {
        case "initialize":
            var response = answer(id, ["protocolVersion": "2025-11-25", "capabilities": ["tools": [:]], "serverInfo": ["name": "s", "version": "1"]])
            response.headers.append(("Mcp-Session-Id", "session-1"))
            return response
        case "server/discover":
            if discoverIsUnknown {
                return json(200, ["jsonrpc": "2.0", "id": id, "error": ["code": -32601, "message": "Method not found"]])
            }
            return answer(id, ["supportedVersions": ["2026-07-28"], "capabilities": ["tools": [:]], "cacheScope": "public", "ttlMs": 0])
        case "tools/list":
            return answer(id, ["tools": .array(tools)])
        default:
            return DoctorResponse(status: 202)
        }
    }

    private func answer(_ id: JSONValue, _ result: JSONObject) -> DoctorResponse {
        let message: JSONValue = ["jsonrpc": "2.0", "id": id, "result": .object(result)]
        guard eventStreamAnswers else { return json(200, message) }
        let stream = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\"}\n\nevent: message\ndata: \(message.jsonString)\n\n"
        return DoctorResponse(status: 200, headers: [("Content-Type", "text/event-stream")], body: Array(stream.utf8))
    }

    private func json(_ status: Int, _ value: JSONValue) -> DoctorResponse {
        DoctorResponse(status: status, headers: [("Content-Type", "application/json")], body: value.jsonBytes)
    }
}
