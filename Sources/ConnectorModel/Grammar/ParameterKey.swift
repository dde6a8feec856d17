/// The keys of one parameter under `parameters:`: its schema, then where it
/// goes upstream.
enum ParameterKey: String, SectionKey {
    /// `string` (default), `integer`, `number`, `boolean`, `array` or `object`.
    case type
    /// Shown to the model.
    case description
    /// Whether the caller must give it.
    case required
    /// Used when the caller leaves the argument out.
    case `default`
    /// The allowed values.
    case `enum`
    /// The lower bound of a number.
    case minimum
    /// The upper bound of a number.
    case maximum
    /// A regular expression a string must match.
    case pattern
    /// The shortest allowed string.
    case minLength = "min_length"
    /// The longest allowed string.
    case maxLength = "max_length"
    /// The fewest items of an array.
    case minItems = "min_items"
    /// The most items of an array.
    case maxItems = "max_items"
    /// The schema of each item of an array.
    case items
    /// The schema of each property of an object.
    case properties
    /// Whether an object may have properties not listed.
    case additionalProperties = "additional_properties"
    /// A JSON Schema format hint passed on to clients.
    case format
    /// Where the value goes: `path`, `query`, `header` or `body`.
    case `in`
    /// The name used upstream when it differs.
    case `as`
    /// How an array goes into the query: repeated or comma-separated.
    case explode
    /// A path value may hold `/` (a file path, a nested name); its segments
    /// are encoded one by one and `.`/`..` segments are still refused.
    case slashes

    /// The keys that say where an argument goes rather than what it is; the
    /// only ones a parameter may have next to `input_schema`.
    static let placement: [ParameterKey] = [.in, .as, .explode, .slashes]

    /// The keys of a nested schema (`items`, a member of `properties`),
    /// which has no place of its own upstream.
    static let nestedSchemaNames = allCases.filter { !placement.contains($0) }.map(\.rawValue)

    /// The keys of a parameter next to `input_schema`.
    static let placementNames = placement.map(\.rawValue)

    /// The values of ``type``.
    static let types = ["string", "integer", "number", "boolean", "array", "object"]
}
