/// The keys of a tool's `response:`, which shape the answer.
enum ResponseKey: String, SectionKey {
    /// A dot path to the sub-tree to keep.
    case select
    /// Conditions array items must meet to be kept (see ``ItemConditionKey``).
    case `where`
    /// The keys to keep of the object, or of each array item.
    case fields
    /// New names for kept keys: `{ "owner.login": owner }`.
    case rename
    /// The longest text returned; longer text is cut and marked.
    case maxBytes = "max_bytes"
    /// A schema the answer must match; results then carry `structuredContent`.
    case outputSchema = "output_schema"
    /// What an answer that does not match `output_schema` gives: `lenient`
    /// (the text, without `structuredContent`) or `strict` (a tool error).
    case schemaMismatch = "schema_mismatch"
}

/// The keys of one condition of `where:`, besides a plain value (equals).
enum ItemConditionKey: String, SectionKey {
    /// The field equals this value.
    case equals
    /// The field equals one of these values.
    case `in`
    /// The field is present and not null (`true`) or absent or null (`false`).
    case exists
}
