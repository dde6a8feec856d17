/// How list-valued fields sit in a text column, the same in every backend so
/// a row means the same thing wherever it is read.
extension AuthStore {
    /// Lists of URIs and grant types as newline-separated text: neither can
    /// contain a newline (they were validated on the way in).
    static func list(_ values: [String]) -> String { values.joined(separator: "\n") }
    static func list(_ text: String?) -> [String] {
        (text ?? "").split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }
    /// Scopes, space-separated as in OAuth itself.
    static func words(_ text: String?) -> [String] {
        (text ?? "").split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }
}
