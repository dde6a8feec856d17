import GatehouseJSON

/// A question the user answers before a tool's request is sent.
///
/// The message is a template over the call's arguments (`Delete ticket
/// {{ id }}?`), so the user sees what would happen, not only which tool
/// asks. Without a message the tool's title and the arguments are shown.
public struct Confirmation: Sendable, Hashable {
    public var message: StringTemplate?

    public init(message: StringTemplate? = nil) {
        self.message = message
    }

    /// The longest rendering of one argument: a question the user can read.
    static let maximumValueCharacters = 200

    /// The question for one call.
    public func render(toolTitle: String, arguments: JSONObject) -> String {
        guard let message else {
            var lines = ["Allow \(toolTitle) to run?"]
            for (name, value) in arguments.prefix(10) { lines.append("\(name): \(Self.text(value))") }
            if arguments.count > 10 { lines.append("… and \(arguments.count - 10) more arguments") }
            return lines.joined(separator: "\n")
        }
        var text = ""
        for part in message.parts {
            switch part {
            case .text(let literal): text += literal
            case .reference(.argument(let name)): text += arguments[name].map(Self.text) ?? ""
            case .reference(.user): break
            }
        }
        return text
    }

    static func text(_ value: JSONValue) -> String {
        let rendered = value.stringValue ?? value.jsonString
        guard rendered.count > maximumValueCharacters else { return rendered }
        return String(rendered.prefix(maximumValueCharacters)) + "…"
    }
}

/// Which tools of a connector ask before they run when they say nothing
/// themselves (`confirm:` at the top of the file).
public enum ConfirmationPolicy: String, Sendable, CaseIterable {
    /// No tool asks unless it says so.
    case none
    /// Tools whose annotations say they destroy or overwrite data (by
    /// default DELETE, PUT and PATCH).
    case destructive
    /// Every tool that is not read-only.
    case writes
    /// Every tool.
    case all

    public func applies(to annotations: ToolAnnotations) -> Bool {
        switch self {
        case .none: false
        case .destructive: annotations.readOnly != true && annotations.destructive == true
        case .writes: annotations.readOnly != true
        case .all: true
        }
    }
}
