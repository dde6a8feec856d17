import GatehouseJSON

/// A ready-made prompt a connector offers (`prompts:`): messages with
/// `{{ placeholders }}` filled from the arguments the user gives.
public struct PromptDefinition: Sendable {
    public struct Argument: Sendable, Equatable {
        public var name: String
        public var title: String?
        public var description: String?
        public var required: Bool

        public init(name: String, title: String? = nil, description: String? = nil, required: Bool = false) {
            self.name = name
            self.title = title
            self.description = description
            self.required = required
        }
    }

    public enum Role: String, Sendable, CaseIterable {
        case user, assistant
    }

    public struct Message: Sendable {
        public var role: Role
        public var text: StringTemplate

        public init(role: Role, text: StringTemplate) {
            self.role = role
            self.text = text
        }
    }

    public var name: String
    public var title: String?
    public var description: String?
    public var arguments: [Argument]
    public var messages: [Message]
    public var location: SourceLocation

    public init(
        name: String, title: String? = nil, description: String? = nil, arguments: [Argument] = [], messages: [Message],
        location: SourceLocation
    ) {
        self.name = name
        self.title = title
        self.description = description
        self.arguments = arguments
        self.messages = messages
        self.location = location
    }

    /// Why a `prompts/get` cannot be answered as asked.
    public enum RenderProblem: Error, Equatable, CustomStringConvertible {
        case missing([String])
        case unknown([String])

        public var description: String {
            switch self {
            case .missing(let names): "missing required argument\(names.count == 1 ? "" : "s"): \(names.joined(separator: ", "))"
            case .unknown(let names): "unknown argument\(names.count == 1 ? "" : "s"): \(names.joined(separator: ", "))"
            }
        }
    }

    /// The messages with the arguments filled in; an optional argument not
    /// given reads as empty.
    public func render(_ given: [String: String]) throws(RenderProblem) -> [(role: Role, text: String)] {
        let unknown = given.keys.filter { name in !arguments.contains { $0.name == name } }.sorted()
        guard unknown.isEmpty else { throw .unknown(unknown) }
        let missing = arguments.filter { $0.required && given[$0.name] == nil }.map(\.name)
        guard missing.isEmpty else { throw .missing(missing) }
        return messages.map { message in
            var text = ""
            for part in message.text.parts {
                switch part {
                case .text(let literal): text += literal
                case .reference(.argument(let name)): text += given[name] ?? ""
                case .reference(.user): break
                }
            }
            return (message.role, text)
        }
    }

    /// The MCP `Prompt` object.
    public var descriptor: JSONValue {
        var object: JSONObject = ["name": .string(name)]
        if let title { object["title"] = .string(title) }
        if let description { object["description"] = .string(description) }
        if !arguments.isEmpty {
            object["arguments"] = .array(arguments.map { argument in
                var entry: JSONObject = ["name": .string(argument.name)]
                if let title = argument.title { entry["title"] = .string(title) }
                if let description = argument.description { entry["description"] = .string(description) }
                if argument.required { entry["required"] = true }
                return .object(entry)
            })
        }
        return .object(object)
    }
}
