import Yams

/// A tool's `confirm:` and `tags:`.
extension ConnectorReader {
    /// `confirm: "Delete ticket {{ id }}?"`, `confirm: true` or
    /// `confirm: false`. The outer optional is a problem; the inner one is
    /// "never ask".
    mutating func readConfirmation(_ node: Yams.Node, known: Set<String>) -> Confirmation?? {
        if case .scalar(let scalar) = node, scalar.style == .plain, node.tagName != .str {
            switch scalar.string {
            case "true": return .some(Confirmation())
            case "false": return .some(nil)
            default: break
            }
        }
        guard let text = decoding.string(node, "confirm") else { return nil }
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            decoding.error(node, "confirm needs a question to ask, true for a default one, or false")
            return nil
        }
        guard let template = stringTemplate(text, node, known: known) else { return nil }
        if template.references.contains(where: { if case .user = $0 { true } else { false } }) {
            decoding.error(node, "confirm can only use the tool's arguments, not {{ user.… }}")
            return nil
        }
        return .some(Confirmation(message: template))
    }

    /// `tags: [research, tickets]`: names of letters, digits, `_`, `-`, `.`.
    mutating func readTags(_ node: Yams.Node) -> [String]? {
        guard let nodes = decoding.sequence(node, "tags") else { return nil }
        var tags: [String] = []
        for item in nodes {
            guard let tag = decoding.string(item, "tag") else { return nil }
            guard NameRules.isTag(tag) else {
                decoding.error(item, "tag '\(tag)' must be 1-64 characters of letters, digits, '_', '-' and '.'")
                return nil
            }
            if !tags.contains(tag) { tags.append(tag) }
        }
        return tags
    }
}
