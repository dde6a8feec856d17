import AuthorizationServer
import Foundation

/// The parts of an OAuth request that arrive as HTML form encoding: the
/// token and revocation bodies, the consent form, and client credentials
/// in an `Authorization: Basic` header.
enum FormRequest {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    /// `application/x-www-form-urlencoded`. A parameter given twice is an
    /// error (RFC 6749 §3.1), so nobody can smuggle a second value past a
    /// check that read the first.
    static func decode(_ body: [UInt8]) throws(Malformed) -> [String: String] {
        var fields: [String: String] = [:]
        for (name, value) in try pairs(body[...]) {
            guard fields.updateValue(value, forKey: name) == nil else { throw Malformed(description: "\(name) is given more than once") }
        }
        return fields
    }

    /// Every name and value in order, repeats included: a query string is
    /// form-encoded too (RFC 6749 appendix B), so `+` is a space there as
    /// well; clients such as the MCP Python SDK write spaces that way.
    static func pairs(_ bytes: ArraySlice<UInt8>) throws(Malformed) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        for pair in bytes.split(separator: UInt8(ascii: "&")) where !pair.isEmpty {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decodeComponent(parts[0]), !name.isEmpty else { throw Malformed(description: "a form field name is not valid") }
            guard let value = decodeComponent(parts.count > 1 ? parts[1] : []) else {
                throw Malformed(description: "the value of \(name) is not valid form encoding")
            }
            pairs.append((name, value))
        }
        return pairs
    }

    /// The query of a request URI, form-decoded.
    static func query(_ query: String?) throws(Malformed) -> [(name: String, value: String)] {
        guard let query else { return [] }
        return try pairs(Array(query.utf8)[...])
    }

    static func decodeComponent(_ bytes: ArraySlice<UInt8>) -> String? {
        let text = String(decoding: bytes.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
        return text.removingPercentEncoding
    }

    /// Client credentials from `Authorization: Basic`, whose parts are
    /// form-encoded before base64 (RFC 6749 §2.3.1); nil when absent.
    static func basicCredentials(_ header: String?) throws(Malformed) -> TokenService.ClientCredentials? {
        guard let header, header.count > 6, header.prefix(6).lowercased() == "basic " else { return nil }
        guard let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let decoded = String(data: data, encoding: .utf8), let colon = decoded.firstIndex(of: ":"),
            let id = decodeComponent(ArraySlice(decoded[..<colon].utf8)),
            let secret = decodeComponent(ArraySlice(decoded[decoded.index(after: colon)...].utf8)), !id.isEmpty
        else { throw Malformed(description: "the Basic authorization header is not valid") }
        return TokenService.ClientCredentials(clientID: id, secret: secret)
    }

    /// Credentials from the header, or `client_id` + `client_secret` in the
    /// body (`client_secret_post`), but not both.
    static func credentials(header: String?, form: [String: String]) throws(Malformed) -> TokenService.ClientCredentials? {
        if let basic = try basicCredentials(header) {
            if form["client_secret"] != nil { throw Malformed(description: "use one way of client authentication, not two") }
            if let id = form["client_id"], id != basic.clientID { throw Malformed(description: "client_id differs from the authenticated client") }
            return basic
        }
        guard let id = form["client_id"] else { return nil }
        return TokenService.ClientCredentials(clientID: id, secret: form["client_secret"])
    }
}
