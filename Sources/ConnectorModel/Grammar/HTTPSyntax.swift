/// What may be written as an HTTP header name or value, checked the same way
/// when a connector file is decoded, when a request is built and when an
/// OpenAPI document is imported.
public enum HTTPSyntax {
    /// The token characters other than letters and digits (RFC 9110 §5.6.2).
    static let tokenPunctuation: [UInt8] = Array("!#$%&'*+-.^_`|~".utf8)

    /// Whether `name` is an RFC 9110 token, the only thing a header name may be.
    public static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { byte in
                NameRules.isASCIIAlphanumeric(byte) || tokenPunctuation.contains(byte)
            }
    }

    /// Whether `value` can be sent as a header value: a line break or a NUL
    /// would end the header early or let a value add a header of its own.
    public static func isHeaderValue(_ value: String) -> Bool {
        !value.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }
    }
}
