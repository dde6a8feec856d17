/// Something of the document that the connector file leaves out, and why.
/// Notes become comments in the generated file and warnings on stderr, so
/// nothing is dropped silently.
public struct ImportNote: Sendable, Equatable, CustomStringConvertible {
    /// What the note is about: an operation (`addPet (POST /pet)`), a
    /// schema, or the document.
    public var subject: String
    public var message: String

    public var description: String { "\(subject): \(message)" }
}
