import Caller
import GatehouseJSON
import Yams

/// Reads a connector test file, reporting every problem with its line and
/// column as connector files do.
public struct ConnectorTestDecoder: Sendable {
    public init() {}

    public struct Result: Sendable {
        /// Present only when the file has no problems.
        public var suite: ConnectorTestSuite?
        public var diagnostics: [Diagnostic]
    }

    static let topKeys = ["secrets", "cases"]
    static let caseKeys = ["name", "tool", "arguments", "caller", "expect_request", "answer", "expect_result"]
    static let callerKeys = ["sub", "email", "name", "scopes", "claims"]
    static let requestKeys = ["method", "url", "query", "headers", "body"]
    static let answerKeys = ["status", "content_type", "headers", "body"]
    static let resultKeys = ["error", "text", "text_contains", "structured_content"]

    public func decode(yaml: String, file: String) -> Result {
        let root: Yams.Node
        switch ConnectorDecoder.compose(yaml, file: file) {
        case .success(let node): root = node
        case .failure(let problem): return Result(suite: nil, diagnostics: [problem])
        }
        var reader = Reader(decoding: YAMLDecoding(file: file))
        let suite = reader.suite(root, file: file)
        let diagnostics = reader.decoding.diagnostics.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
        return Result(suite: diagnostics.isEmpty ? suite : nil, diagnostics: diagnostics)
    }

    struct Reader {
        var decoding: YAMLDecoding

        mutating func suite(_ root: Yams.Node, file: String) -> ConnectorTestSuite? {
            guard let entries = decoding.mapping(root, "a test file", allowed: ConnectorTestDecoder.topKeys) else { return nil }
            var secrets: [String: String] = [:]
            var cases: [ConnectorTestCase] = []
            var sawCases = false
            for entry in entries {
                switch entry.key {
                case "secrets":
                    for secret in decoding.mapping(entry.value, "secrets") ?? [] {
                        guard secret.key.hasPrefix("env:") || secret.key.hasPrefix("file:") else {
                            decoding.error(secret.keyNode, "secrets are named env:NAME or file:PATH, as in ${env:NAME}")
                            continue
                        }
                        if let value = decoding.string(secret.value, "the secret \(secret.key)") { secrets[secret.key] = value }
                    }
                case "cases":
                    sawCases = true
                    var names = Set<String>()
                    for node in decoding.sequence(entry.value, "cases") ?? [] {
                        guard let testCase = testCase(node) else { continue }
                        if !names.insert(testCase.name).inserted {
                            decoding.error(node, "two cases are named \(Diagnostic.quoted(testCase.name))")
                        }
                        cases.append(testCase)
                    }
                default: break
                }
            }
            if !sawCases { decoding.error(root, "a test file needs 'cases:', a list of tool calls") }
            return ConnectorTestSuite(file: file, secrets: secrets, cases: cases)
        }

        mutating func testCase(_ node: Yams.Node) -> ConnectorTestCase? {
            guard let entries = decoding.mapping(node, "a case", allowed: ConnectorTestDecoder.caseKeys) else { return nil }
            var name: String?
            var tool: String?
            var result = ConnectorTestCase(name: "", location: decoding.location(node), tool: "")
            for entry in entries {
                switch entry.key {
                case "name": name = decoding.string(entry.value, "name")
                case "tool": tool = decoding.string(entry.value, "tool")
                case "arguments":
                    guard let value = decoding.json(entry.value, "arguments") else { continue }
                    guard let object = value.objectValue else {
                        decoding.error(entry.value, "arguments must be a mapping of parameter names to values")
                        continue
                    }
                    result.arguments = object
                case "caller": result.caller = caller(entry.value)
                case "expect_request": result.expectedRequest = expectedRequest(entry.value)
                case "answer": result.answer = answer(entry.value)
                case "expect_result": result.expectedResult = expectedResult(entry.value)
                default: break
                }
            }
            guard let name, !name.isEmpty else {
                decoding.error(node, "a case needs a 'name'")
                return nil
            }
            guard let tool, !tool.isEmpty else {
                decoding.error(node, "the case \(Diagnostic.quoted(name)) needs a 'tool'")
                return nil
            }
            if result.expectedRequest == nil, result.expectedResult == nil {
                decoding.error(node, "the case \(Diagnostic.quoted(name)) expects nothing: give 'expect_request', 'expect_result' or both")
            }
            result.name = name
            result.tool = tool
            return result
        }

        mutating func caller(_ node: Yams.Node) -> CallerIdentity? {
            guard let entries = decoding.mapping(node, "caller", allowed: ConnectorTestDecoder.callerKeys) else { return nil }
            var caller = CallerIdentity()
            for entry in entries {
                switch entry.key {
                case "sub": caller.subject = decoding.string(entry.value, "caller.sub")
                case "email": caller.email = decoding.string(entry.value, "caller.email")
                case "name": caller.name = decoding.string(entry.value, "caller.name")
                case "scopes": caller.scopes = Set(strings(entry.value, "caller.scopes"))
                case "claims":
                    if let claims = decoding.json(entry.value, "caller.claims")?.objectValue { caller.claims = claims }
                default: break
                }
            }
            if let subject = caller.subject { caller.claims["sub"] = caller.claims["sub"] ?? .string(subject) }
            if let email = caller.email { caller.claims["email"] = caller.claims["email"] ?? .string(email) }
            if let name = caller.name { caller.claims["name"] = caller.claims["name"] ?? .string(name) }
            return caller
        }

        mutating func expectedRequest(_ node: Yams.Node) -> ExpectedRequest? {
            if case .scalar(let scalar) = node, scalar.string == "none" { return ExpectedRequest(none: true) }
            guard let entries = decoding.mapping(node, "expect_request", allowed: ConnectorTestDecoder.requestKeys) else { return nil }
            var request = ExpectedRequest()
            for entry in entries {
                switch entry.key {
                case "method":
                    guard let method = decoding.string(entry.value, "method") else { continue }
                    guard HTTPMethod(rawValue: method.uppercased()) != nil else {
                        decoding.error(entry.value, "method must be one of \(HTTPMethod.allCases.map(\.rawValue).joined(separator: ", "))")
                        continue
                    }
                    request.method = method.uppercased()
                case "url": request.url = decoding.string(entry.value, "url")
                case "query":
                    guard let query = decoding.json(entry.value, "query")?.objectValue else {
                        decoding.error(entry.value, "query must be a mapping of parameter names to values")
                        continue
                    }
                    request.query = query
                case "headers":
                    for header in decoding.mapping(entry.value, "headers") ?? [] {
                        if case .scalar = header.value, header.value.tagName == .null {
                            request.headers.append((header.key, nil))
                        } else if let value = decoding.string(header.value, "the header \(header.key)") {
                            request.headers.append((header.key, value))
                        }
                    }
                case "body": request.body = decoding.json(entry.value, "body")
                default: break
                }
            }
            return request
        }

        mutating func answer(_ node: Yams.Node) -> RecordedAnswer? {
            guard let entries = decoding.mapping(node, "answer", allowed: ConnectorTestDecoder.answerKeys) else { return nil }
            var status = 200
            var contentType: String?
            var headers: [String: String] = [:]
            var body: JSONValue?
            for entry in entries {
                switch entry.key {
                case "status": status = decoding.integer(entry.value, "status", range: 100...599) ?? status
                case "content_type": contentType = decoding.string(entry.value, "content_type")
                case "headers":
                    for header in decoding.mapping(entry.value, "headers") ?? [] {
                        if let value = decoding.string(header.value, "the header \(header.key)") { headers[header.key] = value }
                    }
                case "body": body = decoding.json(entry.value, "body")
                default: break
                }
            }
            return RecordedAnswer.from(status: status, contentType: contentType, headers: headers, body: body)
        }

        mutating func expectedResult(_ node: Yams.Node) -> ExpectedResult? {
            guard let entries = decoding.mapping(node, "expect_result", allowed: ConnectorTestDecoder.resultKeys) else { return nil }
            var result = ExpectedResult()
            for entry in entries {
                switch entry.key {
                case "error": result.isError = decoding.bool(entry.value, "error")
                case "text": result.text = decoding.string(entry.value, "text")
                case "text_contains": result.textContains = strings(entry.value, "text_contains")
                case "structured_content": result.structuredContent = decoding.json(entry.value, "structured_content")
                default: break
                }
            }
            return result
        }

        /// One string or a list of them.
        mutating func strings(_ node: Yams.Node, _ what: String) -> [String] {
            if case .sequence = node {
                return (decoding.sequence(node, what) ?? []).compactMap { decoding.string($0, what) }
            }
            return decoding.string(node, what).map { [$0] } ?? []
        }
    }
}

extension RecordedAnswer {
    /// An answer written in a test or fixture: a string body is sent as
    /// it is (as text unless a content type says otherwise), any other
    /// value as JSON.
    public static func from(status: Int, contentType: String?, headers: [String: String], body: JSONValue?) -> RecordedAnswer {
        switch body {
        case .string(let text)?:
            return RecordedAnswer(status: status, contentType: contentType ?? "text/plain", body: Array(text.utf8), headers: headers)
        case let value?:
            return RecordedAnswer(status: status, contentType: contentType ?? "application/json", body: value.jsonBytes, headers: headers)
        case nil:
            return RecordedAnswer(status: status, contentType: contentType, body: [], headers: headers)
        }
    }
}
