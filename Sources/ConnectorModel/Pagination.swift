/// How a tool's API pages its lists (`pagination:`), so the gateway can
/// hand the model a cursor for the rest and gather several pages per call.
public struct Pagination: Sendable, Equatable {
    public enum Style: String, Sendable, CaseIterable {
        /// The answer names the next page's cursor; it goes back in `param`.
        case cursor
        /// Pages are numbered from `first`; the number goes in `param`.
        case page
        /// Items are counted from 0; the offset goes in `param`.
        case offset
        /// The answer's RFC 8288 `Link: <…>; rel="next"` header is the next page.
        case link
    }

    public var style: Style
    /// Where the list is in each answer (a dot path); empty: the answer is the list.
    public var items: [String]
    /// Cursor style: where the next cursor is in the answer.
    public var next: [String]
    /// The query parameter carrying the cursor, page number or offset.
    public var param: String?
    /// The query parameter carrying the page size, if the API takes one.
    public var sizeParameter: String?
    public var size: Int
    /// Page style: the number of the first page.
    public var first: Int
    /// Pages one call may gather; later ones are left to the cursor.
    public var maxPages: Int
    /// Gathering stops once the pages read reach this many bytes.
    public var maxBytes: Int?

    public init(
        style: Style, items: [String] = [], next: [String] = [], param: String? = nil, sizeParameter: String? = nil, size: Int = 50,
        first: Int = 1, maxPages: Int = 1, maxBytes: Int? = nil
    ) {
        self.style = style
        self.items = items
        self.next = next
        self.param = param
        self.sizeParameter = sizeParameter
        self.size = size
        self.first = first
        self.maxPages = maxPages
        self.maxBytes = maxBytes
    }

    /// The argument a paginated tool takes to continue.
    public static let cursorArgument = "cursor"
}

/// Where a paged call is: what the next request asks for.
public enum PageState: Sendable, Equatable, Codable {
    case cursor(String)
    case page(Int)
    case offset(Int)
    case link(String)
}
