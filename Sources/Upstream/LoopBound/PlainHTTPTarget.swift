/// Where a plain `http://` request goes, split once from its URL: the
/// connection's host and port, the `Host` header, and the request target.
///
/// Anything this does not take apart (another scheme, credentials in the
/// authority, a malformed port) is `nil`, and the call goes through the
/// general-purpose client instead.
struct PlainHTTPTarget: Equatable {
    var host: String
    var port: Int
    /// `host` or `host:port` as the `Host` header carries it.
    var authority: String
    /// Path and query, fragment removed; `/` when the URL has no path.
    var requestTarget: String

    init?(url: String) {
        var utf8 = Substring(url).utf8
        let scheme = Array("http://".utf8)
        guard utf8.count > scheme.count,
              zip(utf8.prefix(scheme.count), scheme).allSatisfy({ $0 | 0x20 == $1 | 0x20 || $0 == $1 })
        else { return nil }
        utf8 = utf8.dropFirst(scheme.count)
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
            self.port = 80
        }
        self.host = String(host)
        self.authority = String(authority)
        self.requestTarget = String(rest)
    }
}
