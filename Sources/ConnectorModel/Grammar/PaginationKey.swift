/// The keys of a tool's `pagination:`.
enum PaginationKey: String, SectionKey {
    /// `cursor`, `page`, `offset` or `link`.
    case style
    /// The dot path of the list in each answer.
    case items
    /// Cursor style: the dot path of the next cursor in the answer.
    case next
    /// The query parameter that carries the cursor, page number or offset.
    case param
    /// The query parameter that carries the page size.
    case sizeParam = "size_param"
    /// The page size sent (default 50).
    case size
    /// Page style: the first page's number (default 1).
    case first
    /// How many pages one call may gather (default 1).
    case maxPages = "max_pages"
    /// Gathering stops once the pages read reach this size.
    case maxBytes = "max_bytes"
}
