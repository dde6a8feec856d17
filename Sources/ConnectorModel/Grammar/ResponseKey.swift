/// The keys of a tool's `response:`, which shape the answer.
enum ResponseKey: String, SectionKey {
    /// A dot path to the sub-tree to keep.
    case select
    /// The keys to keep of the object, or of each array item.
    case fields
    /// The longest text returned; longer text is cut and marked.
    case maxBytes = "max_bytes"
    /// A schema the answer must match; results then carry `structuredContent`.
    case outputSchema = "output_schema"
}
