/// What the person running the import chose on the command line.
public struct ImportOptions: Sendable {
    /// The `connector:` name; derived from the document's title when nil.
    public var connectorName: String?
    /// The `base_url:`; taken from the document's first server when nil.
    public var baseURL: String?
    /// Which operations become tools.
    public var filter: OperationFilter
    /// How the document is named in the generated file's header comment.
    public var sourceName: String
    /// The folder the document was read from: references to other files
    /// are read relative to it. Nil for a document given as text alone.
    public var documentDirectory: String?
    /// Put before every tool name, so that documents imported into one
    /// folder (two APIs that both have `get_users`) do not collide.
    public var toolPrefix = ""

    public init(connectorName: String? = nil, baseURL: String? = nil, filter: OperationFilter = OperationFilter(), sourceName: String) {
        self.connectorName = connectorName
        self.baseURL = baseURL
        self.filter = filter
        self.sourceName = sourceName
    }
}
