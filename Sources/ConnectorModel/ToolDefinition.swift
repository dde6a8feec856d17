import GatehouseJSON
import JSONSchema

/// The HTTP methods a tool can map onto.
public enum HTTPMethod: String, Sendable, CaseIterable {
    case GET, POST, PUT, PATCH, DELETE

    /// Where a parameter goes when its file says nothing: GET and DELETE carry
    /// no body.
    public var defaultParameterLocation: ParameterLocation {
        switch self {
        case .GET, .DELETE: .query
        case .POST, .PUT, .PATCH: .body
        }
    }

    public var isIdempotent: Bool {
        switch self {
        case .GET, .PUT, .DELETE: true
        case .POST, .PATCH: false
        }
    }
}

/// MCP tool annotations. Hints only; the defaults follow the HTTP method.
public struct ToolAnnotations: Sendable, Equatable {
    public var title: String?
    public var readOnly: Bool?
    public var destructive: Bool?
    public var idempotent: Bool?
    public var openWorld: Bool?

    public init(title: String? = nil, readOnly: Bool? = nil, destructive: Bool? = nil, idempotent: Bool? = nil, openWorld: Bool? = nil) {
        self.title = title
        self.readOnly = readOnly
        self.destructive = destructive
        self.idempotent = idempotent
        self.openWorld = openWorld
    }

    /// GET reads; DELETE destroys; PUT replaces (idempotent, destructive);
    /// POST adds; PATCH modifies.
    public static func defaults(for method: HTTPMethod) -> ToolAnnotations {
        switch method {
        case .GET: ToolAnnotations(readOnly: true)
        case .DELETE: ToolAnnotations(readOnly: false, destructive: true, idempotent: true)
        case .PUT: ToolAnnotations(readOnly: false, destructive: true, idempotent: true)
        case .POST: ToolAnnotations(readOnly: false, destructive: false, idempotent: false)
        case .PATCH: ToolAnnotations(readOnly: false, destructive: true, idempotent: false)
        }
    }

    /// Values written in the file win over the method's defaults.
    public func overriding(_ defaults: ToolAnnotations) -> ToolAnnotations {
        ToolAnnotations(
            title: title ?? defaults.title,
            readOnly: readOnly ?? defaults.readOnly,
            destructive: destructive ?? defaults.destructive,
            idempotent: idempotent ?? defaults.idempotent,
            openWorld: openWorld ?? defaults.openWorld
        )
    }

    public var json: JSONValue {
        var object = JSONObject()
        if let title { object["title"] = .string(title) }
        if let readOnly { object["readOnlyHint"] = .bool(readOnly) }
        if readOnly != true {
            if let destructive { object["destructiveHint"] = .bool(destructive) }
            if let idempotent { object["idempotentHint"] = .bool(idempotent) }
        }
        if let openWorld { object["openWorldHint"] = .bool(openWorld) }
        return .object(object)
    }
}

/// How an upstream answer is cut down before it reaches the model.
public struct ResponseShaping: Sendable {
    /// Dot path of the sub-tree to keep (`data.items`, `results.0`).
    public var select: [String]
    /// Conditions every kept array item meets, all of them.
    public var conditions: [ItemCondition]
    /// Keys to keep of an object, or of each object in an array; dotted keys
    /// keep nested values (`owner.login`).
    public var fields: [[String]]
    /// Kept values moved to new top-level names, in order.
    public var renames: [(from: [String], to: String)]
    /// Whether an answer that does not match `outputSchema` is an error.
    public var strictOutputSchema: Bool
    /// Text longer than this is cut and marked as truncated.
    public var maxBytes: Int
    /// When present, results also carry `structuredContent` checked against it.
    public var outputSchema: JSONSchema?

    public init(
        select: [String] = [], conditions: [ItemCondition] = [], fields: [[String]] = [], renames: [(from: [String], to: String)] = [],
        maxBytes: Int = ResponseShaping.defaultMaxBytes, outputSchema: JSONSchema? = nil, strictOutputSchema: Bool = false
    ) {
        self.select = select
        self.conditions = conditions
        self.fields = fields
        self.renames = renames
        self.strictOutputSchema = strictOutputSchema
        self.maxBytes = maxBytes
        self.outputSchema = outputSchema
    }

    /// Well under the ~150,000 characters at which Claude cuts tool results.
    public static let defaultMaxBytes = 100_000
}

/// One condition of `response.where:` on a field of each array item.
public struct ItemCondition: Sendable, Equatable {
    public enum Test: Sendable, Equatable {
        case equals(JSONValue)
        case oneOf([JSONValue])
        case exists(Bool)
    }

    /// A dot path into the item.
    public var field: [String]
    public var test: Test

    public init(field: [String], test: Test) {
        self.field = field
        self.test = test
    }

    /// Whether `item` meets the condition. Numbers compare by value
    /// (`1` equals `1.0`), everything else as JSON.
    public func admits(_ item: JSONValue) -> Bool {
        var current: JSONValue? = item
        for segment in field { current = current?[segment] }
        switch test {
        case .equals(let expected): return current.map { Self.same($0, expected) } ?? false
        case .oneOf(let values): return current.map { value in values.contains { Self.same(value, $0) } } ?? false
        case .exists(let wanted): return (current != nil && current?.isNull == false) == wanted
        }
    }

    static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = a.doubleValue, let y = b.doubleValue { return x == y }
        return a == b
    }
}

/// One MCP tool and how it maps onto one upstream HTTP request.
public struct ToolDefinition: Sendable {
    public var name: String
    public var title: String?
    public var description: String?
    public var method: HTTPMethod
    public var path: PathTemplate
    /// One per argument, saying where it goes upstream; with `input_schema`,
    /// one per top-level property of that schema.
    public var parameters: [Parameter]
    /// Extra headers for this tool; values may use placeholders.
    public var headers: [(name: String, value: StringTemplate)]
    /// Extra fixed or templated query items for this tool.
    public var query: [(name: String, value: StringTemplate)]
    /// An explicit body; without it, `in: body` arguments form a JSON object.
    public var body: ValueTemplate?
    /// How the body is encoded on the wire.
    public var bodyFormat: BodyFormat = .json
    public var annotations: ToolAnnotations
    public var response: ResponseShaping
    public var timeout: Duration?
    /// Overrides the connector's cap on upstream answer size.
    public var maxResponseBytes: Int?
    /// This tool's own limits, on top of the connector's.
    public var limits: CallLimits
    /// Overrides the connector's retry policy.
    public var retries: RetryPolicy?
    /// The schema clients see and arguments are validated against: the
    /// file's `input_schema` as written, or one generated from `parameters`.
    public var inputSchema: JSONSchema
    /// OAuth scopes a caller's token must carry to see and call this tool.
    public var scopes: [String]
    /// Labels endpoints select tools by.
    public var tags: [String]
    /// Asked of the user before each call, when set.
    public var confirmation: Confirmation?
    /// How the API pages its answers, when it does.
    public var pagination: Pagination?
    /// This tool's own base URL, replacing the connector's, and how the
    /// file writes it (secret references unresolved).
    public var baseURL: (url: BaseURL, written: String)?
    public var location: SourceLocation

    public init(
        name: String, title: String? = nil, description: String? = nil, method: HTTPMethod, path: PathTemplate,
        parameters: [Parameter] = [], headers: [(name: String, value: StringTemplate)] = [],
        query: [(name: String, value: StringTemplate)] = [], body: ValueTemplate? = nil,
        annotations: ToolAnnotations? = nil, response: ResponseShaping = ResponseShaping(), timeout: Duration? = nil,
        maxResponseBytes: Int? = nil, limits: CallLimits = CallLimits(), retries: RetryPolicy? = nil,
        inputSchema: JSONSchema, scopes: [String] = [], tags: [String] = [], confirmation: Confirmation? = nil,
        location: SourceLocation
    ) {
        self.tags = tags
        self.confirmation = confirmation
        self.maxResponseBytes = maxResponseBytes
        self.limits = limits
        self.retries = retries
        self.name = name
        self.title = title
        self.description = description
        self.method = method
        self.path = path
        self.parameters = parameters
        self.headers = headers
        self.query = query
        self.body = body
        self.annotations = annotations ?? ToolAnnotations.defaults(for: method)
        self.response = response
        self.timeout = timeout
        self.inputSchema = inputSchema
        self.scopes = scopes
        self.location = location
    }

    /// Whether repeating the call is safe: the method says so, or the file
    /// does for a POST or PATCH that is.
    public var isIdempotent: Bool { method.isIdempotent || annotations.idempotent == true }

    /// Whether the tool only reads: its annotations say so (which, unless
    /// the file says otherwise, means it is a GET).
    public var isReadOnly: Bool { annotations.readOnly == true }

    /// MCP tool names: `[A-Za-z0-9_.-]`, 1 to 64 characters.
    public static func isValidName(_ name: String) -> Bool { NameRules.isToolName(name) }
}

/// OAuth scope tokens (RFC 6749 §3.3): printable ASCII without space, `"` or `\\`.
public func isValidScope(_ scope: String) -> Bool {
    !scope.isEmpty && scope.utf8.allSatisfy { $0 == 0x21 || (0x23...0x5B).contains($0) || (0x5D...0x7E).contains($0) }
}

extension ToolDefinition {
    /// Every fact about the caller the tool's path, headers, query and body
    /// use. The built-in authorization server reads it to know which claims
    /// its access tokens must carry.
    public var userFields: Set<UserField> {
        var fields = Set<UserField>()
        for case .user(let field) in path.segments { fields.insert(field) }
        var references = headers.flatMap(\.value.references) + query.flatMap(\.value.references)
        if let body { references += body.references }
        for case .user(let field) in references { fields.insert(field) }
        return fields
    }
}
