import Caller
import ConnectorModel
import Foundation
import GatehouseJSON

/// Turns a validated tool call into the upstream HTTP request.
///
/// Arguments only ever fill the path after the base URL, the query, headers
/// and the body: they cannot change the scheme, host or port.
public struct RequestBuilder: Sendable {
    public var userAgent: String

    public init(userAgent: String = "gatehouse") {
        self.userAgent = userAgent
    }

    /// A problem with the arguments that schema validation cannot see; the
    /// message is written for the model that made the call.
    public struct ArgumentError: Error, Sendable, Equatable {
        public var message: String
    }

    public func build(
        tool: ToolDefinition, target: UpstreamTarget, arguments: JSONObject, caller: CallerIdentity
    ) throws(ArgumentError) -> UpstreamRequest {
        let values = TemplateValues(tool: tool, arguments: arguments, caller: caller)

        var path = target.baseURL.path
        for segment in tool.path.segments {
            switch segment {
            case .literal(let text): path += text
            case .parameter(let name):
                guard let value = values.argument(name) else {
                    throw ArgumentError(message: "missing value for path parameter '\(name)'")
                }
                let text = try Self.scalarText(value, name: name, joiner: ",")
                guard !text.isEmpty else { throw ArgumentError(message: "path parameter '\(name)' must not be empty") }
                guard text != ".", text != ".." else {
                    throw ArgumentError(message: "path parameter '\(name)' must not be '.' or '..'")
                }
                if tool.parameters.contains(where: { $0.name == name && $0.slashes }) {
                    // Each segment is encoded on its own, and none may climb.
                    let segments = text.split(separator: "/", omittingEmptySubsequences: false)
                    guard !segments.contains(where: { $0 == "." || $0 == ".." || $0.isEmpty }) else {
                        throw ArgumentError(message: "path parameter '\(name)' must not hold empty, '.' or '..' segments")
                    }
                    path += segments.map { PercentEncoding.encode(String($0)) }.joined(separator: "/")
                } else {
                    path += PercentEncoding.encode(text)
                }
            case .user(let field):
                guard let value = try values.require(.user(field)) else { continue }
                let text = try Self.scalarText(value, name: TemplateReference.user(field).description, joiner: ",")
                guard !text.isEmpty, text != ".", text != ".." else {
                    throw ArgumentError(message: "the signed-in user's \(TemplateReference.user(field)) cannot be used in a path")
                }
                path += PercentEncoding.encode(text)
            }
        }
        let displayURL = target.baseURL.origin + path

        // Query values are kept percent-encoded, so `explode: false` can
        // join encoded elements with a literal comma.
        var query: [(name: String, encodedValue: String)] = []
        var headers: [(name: String, value: String)] = target.headers
        var bodyMembers = JSONObject()
        for parameter in tool.parameters {
            guard let value = values.argument(parameter.name), !value.isNull else { continue }
            switch parameter.location {
            case .path:
                continue
            case .query:
                if case .array(let elements) = value {
                    var encoded: [String] = []
                    for element in elements {
                        encoded.append(PercentEncoding.encode(try Self.scalarText(element, name: parameter.name, joiner: ",")))
                    }
                    if parameter.explode {
                        for item in encoded { query.append((parameter.upstreamName, item)) }
                    } else {
                        query.append((parameter.upstreamName, encoded.joined(separator: ",")))
                    }
                } else {
                    let text = try Self.scalarText(value, name: parameter.name, joiner: ",")
                    query.append((parameter.upstreamName, PercentEncoding.encode(text)))
                }
            case .header:
                let text = try Self.scalarText(value, name: parameter.name, joiner: ",")
                try Self.checkHeaderValue(text, name: parameter.upstreamName)
                headers.append((parameter.upstreamName, text))
            case .body:
                bodyMembers[parameter.upstreamName] = value
            }
        }
        for (name, template) in tool.query {
            if try values.isAbsent(template) { continue }
            query.append((name, PercentEncoding.encode(try values.interpolate(template))))
        }
        switch target.auth {
        case .bearer(let token)?: headers.append(("Authorization", "Bearer \(token)"))
        case .basic(let username, let password)?:
            headers.append(("Authorization", "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()))
        case .apiKeyHeader(let name, let value)?: headers.append((name, value))
        case .apiKeyQuery(let name, let value)?: query.append((name, PercentEncoding.encode(value)))
        // Obtained at call time (`CredentialSource`), after the request is built.
        case .clientCredentials?, .signInToken?, .tokenExchange?, .linkedAccount?, .userAPIKey?, nil: break
        }
        for (name, template) in tool.headers {
            if try values.isAbsent(template) { continue }
            let text = try values.interpolate(template)
            try Self.checkHeaderValue(text, name: name)
            headers.append((name, text))
        }

        var bodyValue: JSONValue?
        if let template = tool.body {
            bodyValue = try values.render(template) ?? .null
        } else if !bodyMembers.isEmpty || tool.parameters.contains(where: { $0.location == .body }) {
            bodyValue = .object(bodyMembers)
        }
        var body: [UInt8]?
        if let bodyValue {
            let (bytes, contentType) = try Self.encode(bodyValue, tool: tool)
            body = bytes
            if tool.bodyFormat != .json || !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
                headers.removeAll { $0.name.lowercased() == "content-type" }
                headers.append(("Content-Type", contentType))
            }
        }
        if !headers.contains(where: { $0.name.lowercased() == "accept" }) {
            headers.append(("Accept", "application/json, text/plain;q=0.9, */*;q=0.8"))
        }
        if !headers.contains(where: { $0.name.lowercased() == "user-agent" }) {
            headers.append(("User-Agent", userAgent))
        }

        var url = displayURL
        if !query.isEmpty {
            url += "?"
            var first = true
            for (name, value) in query {
                if !first { url += "&" }
                first = false
                url += PercentEncoding.encode(name) + "=" + value
            }
        }
        return UpstreamRequest(
            method: tool.method, url: url, displayURL: displayURL, headers: headers, body: body,
            timeout: tool.timeout ?? target.timeout, maxResponseBytes: tool.maxResponseBytes ?? target.maxResponseBytes,
            redactor: target.redactor, errorBodyBytes: target.errorBodyBytes)
    }

    /// The body in the tool's format, and the `Content-Type` that says so.
    static func encode(_ value: JSONValue, tool: ToolDefinition) throws(ArgumentError) -> (bytes: [UInt8], contentType: String) {
        switch tool.bodyFormat {
        case .json:
            return (value.jsonBytes, "application/json")
        case .form, .formBrackets:
            return (try FormEncoding.encode(value, brackets: tool.bodyFormat == .formBrackets), "application/x-www-form-urlencoded")
        case .multipart:
            let boundary = MultipartEncoding.newBoundary()
            return (try MultipartEncoding.encode(value, files: tool.fileFields, boundary: boundary), "multipart/form-data; boundary=\(boundary)")
        }
    }

    static func checkHeaderValue(_ value: String, name: String) throws(ArgumentError) {
        guard HTTPSyntax.isHeaderValue(value) else {
            throw ArgumentError(message: "the value for header \(name) must not contain line breaks")
        }
    }

    /// The text of a scalar as it appears in a path, query or header.
    static func scalarText(_ value: JSONValue, name: String, joiner: String) throws(ArgumentError) -> String {
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double: return value.jsonString
        case .bool(let b): return b ? "true" : "false"
        case .null: return ""
        case .array(let elements):
            var parts: [String] = []
            for element in elements {
                if case .array = element { throw ArgumentError(message: "'\(name)' cannot hold nested lists here") }
                if case .object = element { parts.append(element.jsonString) } else {
                    parts.append(try scalarText(element, name: name, joiner: joiner))
                }
            }
            return parts.joined(separator: joiner)
        case .object: return value.jsonString
        }
    }
}

/// The values placeholders resolve to during one call.
struct TemplateValues {
    let tool: ToolDefinition
    let arguments: JSONObject
    let caller: CallerIdentity

    /// The argument, or the parameter's default when the caller left it out.
    func argument(_ name: String) -> JSONValue? {
        if let value = arguments[name] { return value }
        return tool.parameters.first { $0.name == name }?.defaultValue
    }

    func resolve(_ reference: TemplateReference) -> JSONValue? {
        switch reference {
        case .argument(let name): argument(name)
        case .user(let field): caller.value(of: field)
        }
    }

    /// The value of a placeholder that must be present. An argument may be
    /// left out (`nil`); a fact about the caller may not: a tool that sends
    /// the caller's identity must never call the upstream without it.
    func require(_ reference: TemplateReference) throws(RequestBuilder.ArgumentError) -> JSONValue? {
        let value = resolve(reference)
        if value == nil, case .user(let field) = reference {
            if caller.emailUnverified, field == .email || field == .claim("email") {
                throw RequestBuilder.ArgumentError(
                    message: "this tool needs {{ \(reference) }} of the signed-in user, and the identity provider has not verified that address")
            }
            throw RequestBuilder.ArgumentError(
                message: "this tool needs {{ \(reference) }} of the signed-in user, which is not available")
        }
        return value
    }

    /// Whether a header or query template is a lone placeholder for an
    /// argument the caller left out, which drops the item.
    func isAbsent(_ template: StringTemplate) throws(RequestBuilder.ArgumentError) -> Bool {
        guard let reference = template.loneReference else { return false }
        return try require(reference) == nil
    }

    func interpolate(_ template: StringTemplate) throws(RequestBuilder.ArgumentError) -> String {
        var text = ""
        for part in template.parts {
            switch part {
            case .text(let literal): text += literal
            case .reference(let reference):
                guard let value = try require(reference) else { continue }
                text += try RequestBuilder.scalarText(value, name: reference.description, joiner: ",")
            }
        }
        return text
    }

    /// Renders a body template; `nil` means "absent" and drops the member
    /// that held it, so optional arguments the caller left out disappear.
    func render(_ template: ValueTemplate) throws(RequestBuilder.ArgumentError) -> JSONValue? {
        switch template {
        case .literal(let value): return value
        case .string(let string):
            if let reference = string.loneReference { return try require(reference) }
            return .string(try interpolate(string))
        case .array(let elements):
            var array: [JSONValue] = []
            for element in elements {
                if let value = try render(element) { array.append(value) }
            }
            return .array(array)
        case .object(let members):
            var object = JSONObject()
            for (key, member) in members {
                if let value = try render(member) { object[key] = value }
            }
            return .object(object)
        }
    }
}
