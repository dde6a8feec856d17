/// Where an `http://` or `https://` request goes, split once from its URL:
/// the connection's host and port, whether it speaks TLS, the `Host`
/// header, and the request target.
///
/// Anything this does not take apart (another scheme, credentials in the
/// authority, a malformed port) is `nil`, and the call goes through the
/// general-purpose client instead.
struct HTTP1Target: Equatable {
    var secure: Bool
    var host: String
    var port: Int
    /// `host` or `host:port` as the `Host` header carries it.
    var authority: String
    /// Path and query, fragment removed; `/` when the URL has no path.
    var requestTarget: String
    /// The pool's key: connections are shared by scheme, host and port.
    var key: String

    init?(url: String) {
        var utf8 = Substring(url).utf8
        if Self.hasPrefix(utf8, "http://") {
            secure = false
            utf8 = utf8.dropFirst(7)
        } else if Self.hasPrefix(utf8, "https://") {
            secure = true
            utf8 = utf8.dropFirst(8)
        } else {
            return nil
        }
        let authorityEnd = utf8.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
            ?? utf8.endIndex
        let authority = Substring(utf8[utf8.startIndex..<authorityEnd])
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var rest = Substring(utf8[authorityEnd...])
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        if rest.isEmpty { rest = "/" } else if rest.first == "?" { rest = "/" + rest }
        guard rest.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }

        let host: Substring
        var portText: Substring?
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else { return nil }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { return nil }
        if let portText {
            guard let port = Int(portText), (1...65535).contains(port) else { return nil }
            self.port = port
        } else {
            self.port = secure ? 443 : 80
        }
        self.host = String(host)
        self.authority = String(authority)
        self.requestTarget = String(rest)
        self.key = "\(secure ? "https" : "http")://\(self.host):\(self.port)"
    }

    /// Whether the host is an IP address: TLS cannot name it in SNI.
    var hostIsIPAddress: Bool {
        host.contains(":") || host.utf8.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: ".") }
    }


    private static func hasPrefix(_ utf8: Substring.UTF8View, _ scheme: StaticString) -> Bool {
        let count = scheme.utf8CodeUnitCount
        guard utf8.count > count else { return false }
        return scheme.withUTF8Buffer { expected in
            zip(utf8.prefix(count), expected).allSatisfy { $0 | 0x20 == $1 }
        }
    }
}
