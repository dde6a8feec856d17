import Yams

/// Gives every mapping key of a YAML tree the same, implicit tag.
///
/// Yams looks a key up by comparing nodes including their resolved tags, so
/// a quoted `'200':` (a string) is not found when a decoder asks for `200`
/// (read as an integer): quoted status codes, common in real documents,
/// would make valid responses look missing.
enum MappingKeys {
    static func normalized(_ node: Yams.Node) -> Yams.Node {
        switch node {
        case .mapping(let mapping):
            var pairs: [(Yams.Node, Yams.Node)] = []
            pairs.reserveCapacity(mapping.count)
            for (key, value) in mapping {
                let plainKey = key.scalar.map { Yams.Node($0.string) } ?? key
                pairs.append((plainKey, normalized(value)))
            }
            return Yams.Node(pairs, mapping.tag, mapping.style)
        case .sequence(let sequence):
            return Yams.Node(sequence.map(normalized), sequence.tag, sequence.style)
        case .scalar, .alias:
            return node
        }
    }
}
