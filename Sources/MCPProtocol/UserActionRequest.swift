/// A page of this server the user must open before a call can succeed:
/// a URL-mode elicitation.
///
/// Clients that can open URLs get it as an elicitation (an
/// `InputRequiredResult` in 2026-07-28, the `-32042` error in 2025-11-25);
/// others get ``fallbackText`` as a tool error, which gives the URL too.
public struct UserActionRequest: Sendable, Equatable {
    /// Unique per request; names the elicitation in both eras.
    public var elicitationID: String
    /// Never a pre-authenticated URL: the page itself checks who opens it.
    public var url: String
    /// Why, for the user.
    public var message: String
    /// The tool error for clients without URL elicitation: gives the URL and
    /// says to call again afterwards.
    public var fallbackText: String

    public init(elicitationID: String, url: String, message: String, fallbackText: String) {
        self.elicitationID = elicitationID
        self.url = url
        self.message = message
        self.fallbackText = fallbackText
    }
}
