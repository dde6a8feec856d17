import Yams

/// One entry of `prompts:`.
extension ConnectorReader {
    mutating func readPrompt(_ node: Yams.Node) -> PromptDefinition? {
        guard let byKey = decoding.mapping(node, "a prompt", keys: PromptKey.self) else { return nil }
        let before = decoding.diagnostics.count
        guard let nameEntry = byKey[.name], let name = decoding.string(nameEntry.value, "prompt name") else {
            decoding.error(node, "prompt is missing required key 'name'")
            return nil
        }
        guard NameRules.isToolName(name) else {
            decoding.error(nameEntry.value, "prompt name '\(name)' must be 1-64 characters of A-Z, a-z, 0-9, '_', '-' and '.'")
            return nil
        }
        let title = byKey[.title].flatMap { decoding.string($0.value, "title") }
        let description = byKey[.description].flatMap { decoding.string($0.value, "description") }
        var arguments: [PromptDefinition.Argument] = []
        if let entry = byKey[.arguments], let items = decoding.mapping(entry.value, "arguments") {
            for item in items {
                guard NameRules.isParameterName(item.key) else {
                    decoding.error(item.keyNode, "argument name '\(item.key)' must be 1-64 characters of A-Z, a-z, 0-9, '_', '-' and '.'")
                    continue
                }
                var argument = PromptDefinition.Argument(name: item.key)
                if case .mapping(let mapping) = item.value, mapping.isEmpty {
                } else if let keys = decoding.mapping(item.value, "argument \(item.key)", keys: PromptArgumentKey.self) {
                    for (key, field) in keys.keyed {
                        switch key {
                        case .title: argument.title = decoding.string(field.value, "title")
                        case .description: argument.description = decoding.string(field.value, "description")
                        case .required: argument.required = decoding.bool(field.value, "required") ?? false
                        }
                    }
                }
                arguments.append(argument)
            }
        }
        let known = Set(arguments.map(\.name))
        var messages: [PromptDefinition.Message] = []
        if let entry = byKey[.messages], let nodes = decoding.sequence(entry.value, "messages") {
            if nodes.isEmpty { decoding.error(entry.value, "messages must list at least one message") }
            for message in nodes {
                guard let keys = decoding.mapping(message, "a message", keys: PromptMessageKey.self) else { continue }
                var role = PromptDefinition.Role.user
                if let roleEntry = keys[.role], let text = decoding.string(roleEntry.value, "role") {
                    if let parsed = PromptDefinition.Role(rawValue: text) {
                        role = parsed
                    } else {
                        decoding.error(roleEntry.value, "role must be user or assistant")
                    }
                }
                guard let textEntry = keys[.text], let text = decoding.string(textEntry.value, "text") else {
                    decoding.error(message, "a message needs a text")
                    continue
                }
                guard let template = stringTemplate(text, textEntry.value, known: known) else { continue }
                if template.references.contains(where: { if case .user = $0 { true } else { false } }) {
                    decoding.error(textEntry.value, "prompt messages can only use the prompt's arguments, not {{ user.… }}")
                    continue
                }
                messages.append(PromptDefinition.Message(role: role, text: template))
            }
        } else if byKey[.messages] == nil {
            decoding.error(node, "prompt '\(name)' needs messages")
        }
        guard decoding.diagnostics.count == before else { return nil }
        return PromptDefinition(
            name: name, title: title, description: description, arguments: arguments, messages: messages,
            location: decoding.location(nameEntry.value))
    }
}
