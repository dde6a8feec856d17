/// The keys of one entry of `prompts:`.
enum PromptKey: String, SectionKey {
    /// The prompt's name, unique across all files.
    case name
    /// A human-readable name shown by clients.
    case title
    /// What the prompt is for.
    case description
    /// The arguments the user fills in, by name (see ``PromptArgumentKey``).
    case arguments
    /// The messages, each a `role` and a `text` with `{{ placeholders }}`.
    case messages
}

/// The keys of one prompt argument.
enum PromptArgumentKey: String, SectionKey {
    /// A human-readable name.
    case title
    /// What to enter.
    case description
    /// Whether the prompt needs it; optional arguments read as empty.
    case required
}

/// The keys of one prompt message.
enum PromptMessageKey: String, SectionKey {
    /// `user` or `assistant`.
    case role
    /// The text, with `{{ argument }}` placeholders.
    case text
}
