/// How a tool's body is written on the wire (`body_format:`). The body is
/// built the same way in every format — from the `body:` template or the
/// `in: body` arguments — and only then encoded.
public enum BodyFormat: String, Sendable, CaseIterable {
    /// `application/json`, or the `Content-Type` the tool's headers name.
    case json
    /// `application/x-www-form-urlencoded` the way OpenAPI writes it by
    /// default: lists as repeated keys (`tag=a&tag=b`), objects in
    /// brackets (`address[city]=Oslo`).
    case form
    /// `application/x-www-form-urlencoded` with lists in brackets as Rails,
    /// PHP and Stripe read them: `expand[]=a`, `items[0][price]=p`.
    case formBrackets = "form_brackets"
    /// `multipart/form-data`: one part per top-level member; a string
    /// parameter with `format: binary` or `format: byte` carries a file as
    /// base64 and is sent as that file's bytes.
    case multipart

    public var isForm: Bool { self == .form || self == .formBrackets }
}

extension ToolDefinition {
    /// Body members sent as files in a multipart body: upstream name →
    /// argument name, for `in: body` string parameters with `format: binary`
    /// or `format: byte`.
    public var fileFields: [String: String] {
        guard bodyFormat == .multipart else { return [:] }
        var fields: [String: String] = [:]
        for parameter in parameters where parameter.location == .body && parameter.isFile { fields[parameter.upstreamName] = parameter.name }
        return fields
    }
}

extension Parameter {
    /// A string whose format says it holds a file's bytes (as base64).
    public var isFile: Bool {
        guard case .string("string")? = schema["type"], case .string(let format)? = schema["format"] else { return false }
        return format == "binary" || format == "byte"
    }
}
