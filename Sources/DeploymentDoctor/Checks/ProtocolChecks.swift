import GatehouseJSON

/// Both protocol eras as Claude opens them (`server/discover` of
/// 2026-07-28, then the legacy `initialize`), and the tool list a model
/// will read.
extension Examination {
    mutating func checkProtocol() async {
        if requiresSignIn, options.token == nil {
            return record(
                .skipped(
                    "protocol", "The protocol checks (server/discover, initialize, tools/list) need a token: pass --token or GATEHOUSE_DOCTOR_TOKEN."))
        }
        guard await checkTokenAccepted() else { return }
        await checkDiscover()
        await checkInitialize()
        await checkToolList()
    }

    /// A call with the given token: a 401 here means the token, not the
    /// server, is the problem, and the rest would only repeat it.
    mutating func checkTokenAccepted() async -> Bool {
        guard requiresSignIn else { return true }
        guard case .success(let response) = await post(DoctorMessages.initialize(id: 4)) else {
            record(.failure("token", "A call with the token got no answer.", fix: "Check the server."))
            return false
        }
        switch response.status {
        case 401:
            let reason = response.header("www-authenticate").flatMap { Self.parameter("error_description", in: $0) } ?? "no reason given"
            record(
                .failure(
                    "token", "The server refused the token given (401: \(reason)).",
                    fix: "Use a current access token issued for this resource (its audience is \(endpoint.url))."))
            return false
        case 403:
            record(
                .failure(
                    "token", "The token is accepted but lacks a required scope (403).",
                    fix: "Ask for the scopes the resource metadata lists."))
            return false
        default:
            record(.pass("token", "The server accepts the token."))
            return true
        }
    }

    mutating func checkDiscover() async {
        let sent = await post(DoctorMessages.modernRequest("server/discover", id: 10), headers: DoctorMessages.modernHeaders("server/discover"))
        guard case .success(let response) = sent else {
            return record(.failure("discover", "server/discover got no answer.", fix: "Answer server/discover."))
        }
        let message: JSONValue
        switch MCPAnswer.message(in: response, id: 10) {
        case .failure(let problem):
            return record(
                .failure(
                    "discover", "server/discover got HTTP \(response.status) and \(problem).",
                    fix: "Answer server/discover with a JSON-RPC result (2026-07-28)."))
        case .success(let value):
            message = value
        }
        if let error = message["error"] {
            let code = error["code"]?.integerValue ?? 0
            return record(
                .failure(
                    "discover", "server/discover was answered with error \(code) (\(error["message"]?.stringValue ?? "")): Claude opens with it and gives up after -32601.",
                    fix: "Implement server/discover (2026-07-28), or at least answer it on legacy sessions too."))
        }
        let versions = message["result"]?["supportedVersions"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if versions.contains(DoctorMessages.modern) {
            record(.pass("discover", "server/discover lists \(versions.joined(separator: ", "))."))
        } else {
            record(
                .warning(
                    "discover", "server/discover does not list \(DoctorMessages.modern) among \(versions).",
                    fix: "Support the 2026-07-28 revision, or expect clients to fall back to initialize."))
        }
    }

    mutating func checkInitialize() async {
        guard case .success(let response) = await post(DoctorMessages.initialize(id: 11)) else {
            return record(.failure("initialize", "initialize got no answer.", fix: "Answer initialize (2025-11-25)."))
        }
        guard case .success(let message) = MCPAnswer.message(in: response, id: 11), let result = message["result"] else {
            return record(
                .failure(
                    "initialize", "initialize (2025-11-25) got HTTP \(response.status): \(Self.excerpt(response)).",
                    fix: "Answer the legacy initialize as well: Claude's connectors still negotiate 2025-11-25 and earlier revisions."))
        }
        let version = result["protocolVersion"]?.stringValue ?? "(none)"
        guard DoctorMessages.legacyVersionsClaudeSpeaks.contains(version) else {
            return record(
                .failure(
                    "initialize", "initialize negotiated \(version), which Claude's connectors do not speak.",
                    fix: "Answer 2025-11-25 (or 2025-06-18, 2025-03-26) to a client that asks for it."))
        }
        guard result["capabilities"]?["tools"] != nil else {
            return record(.warning("initialize", "initialize announces no tools capability.", fix: "Announce tools in capabilities."))
        }
        record(.pass("initialize", "initialize negotiates \(version) with the tools capability."))
        // End the handshake so a server that keeps sessions sees a complete one.
        if let session = response.header("mcp-session-id") {
            _ = await post(
                ["jsonrpc": "2.0", "method": "notifications/initialized"],
                headers: [("Mcp-Session-Id", session), ("MCP-Protocol-Version", version)])
        }
    }

    /// Every page of `tools/list` (2026-07-28), then the review of what a
    /// model will read.
    mutating func checkToolList() async {
        var tools: [JSONValue] = []
        var cursor: String?
        var bytes = 0
        for page in 0..<ToolListReview.maximumPages {
            var params: JSONObject = [:]
            if let cursor { params["cursor"] = .string(cursor) }
            let id = 20 + page
            let sent = await post(DoctorMessages.modernRequest("tools/list", id: id, params: params), headers: DoctorMessages.modernHeaders("tools/list"))
            guard case .success(let response) = sent, case .success(let message) = MCPAnswer.message(in: response, id: id),
                let result = message["result"]
            else {
                return record(.failure("tools-list", "tools/list (2026-07-28) did not answer with a result.", fix: "Answer tools/list."))
            }
            bytes += (result["tools"]?.jsonBytes.count ?? 0)
            tools += result["tools"]?.arrayValue ?? []
            cursor = result["nextCursor"]?.stringValue
            if cursor == nil { break }
        }
        if cursor != nil {
            record(
                .warning(
                    "tools-list", "tools/list still had more pages after \(ToolListReview.maximumPages).",
                    fix: "Check that nextCursor ends; a client may stop early."))
        }
        for finding in ToolListReview.review(tools, listBytes: bytes) { record(finding) }
    }
}
