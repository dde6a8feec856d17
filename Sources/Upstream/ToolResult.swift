import GatehouseJSON

/// The outcome of one tool call in MCP terms: content blocks, optional
/// structured content, and whether the model should treat it as an error.
public struct ToolResult: Sendable {
    public var content: [JSONValue]
    public var structuredContent: JSONValue?
    public var isError: Bool
    /// Why the answer did not match the tool's `output_schema`, when it did
    /// not and the tool is lenient: the gateway logs and counts it.
    public var schemaMismatch: String?
    /// The media type of what the content holds, from the upstream answer
    /// (`application/json` once JSON is shaped): what a resource read says.
    public var mimeType: String?
    /// The whole text when the first text block holds only its start
    /// (`max_bytes`), so the rest can be offered as further parts.
    public var overflow: Overflow?

    /// A text answer cut at the tool's byte budget.
    public struct Overflow: Sendable {
        /// The answer's whole text, before the cut.
        public var full: String
        /// How many of its UTF-8 bytes the result shows.
        public var shown: Int
    }

    public init(content: [JSONValue], structuredContent: JSONValue? = nil, isError: Bool = false) {
        self.content = content
        self.structuredContent = structuredContent
        self.isError = isError
    }

    public static func text(_ text: String, isError: Bool = false) -> ToolResult {
        ToolResult(content: [["type": "text", "text": .string(text)]], isError: isError)
    }

    public static func error(_ message: String) -> ToolResult {
        .text(message, isError: true)
    }

    /// The `CallToolResult` fields shared by both protocol eras.
    /// The text blocks, one after the other on their own lines.
    public var joinedText: String {
        content.compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
    }

    public var json: JSONObject {
        var object: JSONObject = ["content": .array(content)]
        if let structuredContent { object["structuredContent"] = structuredContent }
        if isError { object["isError"] = true }
        return object
    }
}
