import Tracing

extension RequestTrace {
    /// Sends one attempt of an upstream call inside its own client span,
    /// a child of the request's span, and hands the upstream that span as
    /// its `traceparent`, so the API's own traces hang below the attempt
    /// that called it.
    ///
    /// A request the sampler left out gets no attempt spans: the upstream
    /// is told the request's own (unsampled) context instead.
    ///
    /// Attributes follow the OpenTelemetry HTTP client conventions. The
    /// URL is recorded without its query, which may carry an API key;
    /// no header is recorded.
    func attempt(
        _ request: UpstreamRequest, number: Int, connector: String,
        send: (UpstreamRequest) async throws(UpstreamFailure) -> UpstreamResponse
    ) async throws(UpstreamFailure) -> UpstreamResponse {
        guard let tracer, let parent = span, parent.isRecording else { return try await send(request) }
        let span = tracer.startSpan(request.method.rawValue, context: parent.context, ofKind: .client)
        defer { span.end() }
        var attributes = SpanAttributes()
        attributes["http.request.method"] = request.method.rawValue
        attributes["url.full"] = request.displayURL
        let (host, port) = Self.serverAddress(of: request.displayURL)
        if let host { attributes["server.address"] = host }
        if let port { attributes["server.port"] = port }
        if number > 1 { attributes["http.request.resend_count"] = number - 1 }
        attributes["gatehouse.connector"] = connector
        span.attributes = attributes
        var request = request
        request.headers.removeAll { $0.name == "traceparent" || $0.name == "tracestate" }
        tracer.inject(span.context, into: &request.headers, using: UpstreamHeaderInjector())
        do {
            let response = try await send(request)
            span.updateAttributes { attributes in
                attributes["http.response.status_code"] = response.status
                if response.status >= 400 { attributes["error.type"] = String(response.status) }
            }
            if response.status >= 400 { span.setStatus(SpanStatus(code: .error)) }
            return response
        } catch {
            span.attributes["error.type"] = error.errorType
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }

    /// Host and port of an absolute URL, the port only when the URL names
    /// one or its scheme implies one.
    static func serverAddress(of url: String) -> (host: String?, port: Int?) {
        guard let schemeEnd = url.range(of: "://") else { return (nil, nil) }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        var authority = url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host = Substring(authority)
        var port: Int? = scheme == "https" ? 443 : scheme == "http" ? 80 : nil
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            host = authority[..<colon]
            port = Int(authority[authority.index(after: colon)...]) ?? port
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        return (host.isEmpty ? nil : String(host), port)
    }
}

/// Writes the tracer's propagation headers into an upstream request.
struct UpstreamHeaderInjector: Injector {
    func inject(_ value: String, forKey key: String, into headers: inout [(name: String, value: String)]) {
        headers.append((key, value))
    }
}

extension UpstreamFailure {
    /// The `error.type` of a failed attempt: the kind of failure, never
    /// its text (which may quote the upstream).
    var errorType: String {
        switch self {
        case .timedOut: "timeout"
        case .connectionFailed: "connection_failed"
        case .responseTooLarge: "response_too_large"
        }
    }
}
