import Yams

/// The keys one section of a connector file may have, declared once as the
/// cases of an enum.
///
/// The allowed-key list, the "did you mean" suggestions and the lookups of a
/// section all come from its enum, and a unit test holds the enums, the JSON
/// Schema and the documentation tables together, so a new key is written in
/// one place and cannot be forgotten in the others.
protocol SectionKey: CaseIterable, Hashable, RawRepresentable, Sendable where RawValue == String {}

extension SectionKey {
    /// Every key the section allows, in declaration order: the order that
    /// breaks ties between equally close "did you mean" suggestions.
    static var names: [String] { allCases.map(\.rawValue) }
}

/// The entries of one mapping whose keys were all checked against `Key`.
struct Section<Key: SectionKey> {
    /// The entries as written, in file order.
    var entries: [YAMLDecoding.Entry]

    /// The entry for `key`, if the file wrote it.
    subscript(_ key: Key) -> YAMLDecoding.Entry? {
        entries.first { $0.key == key.rawValue }
    }

    /// The entries in file order, each with its key as a case of `Key`.
    var keyed: [(key: Key, entry: YAMLDecoding.Entry)] {
        entries.compactMap { entry in Key(rawValue: entry.key).map { ($0, entry) } }
    }
}

extension YAMLDecoding {
    /// The entries of a mapping whose keys must be cases of `Key`; unknown
    /// keys are reported with the nearest known one.
    mutating func mapping<Key: SectionKey>(_ node: Yams.Node, _ what: String, keys: Key.Type) -> Section<Key>? {
        mapping(node, what, allowed: Key.names).map(Section.init)
    }
}
