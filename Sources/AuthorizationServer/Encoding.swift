import ExtrasBase64
import Foundation

/// Base64url without padding: the encoding of JWT segments, PKCE
/// challenges and the opaque tokens this server hands out.
func base64URL<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
    Base64.encodeToString(bytes: bytes, options: [.base64UrlAlphabet, .omitPaddingCharacter])
}

extension URLComponents {
    /// Appends query items, encoding `+` too: form decoders read it as a
    /// space, and codes and states may contain it.
    mutating func appendQueryItems(_ items: [URLQueryItem]) {
        queryItems = (queryItems ?? []) + items
        percentEncodedQuery = percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
    }
}
