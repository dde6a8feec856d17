import Foundation

/// The MCP endpoint's URL taken apart: where its metadata documents live
/// and whether it is on this machine.
struct EndpointAddress: Sendable {
    /// Exactly as the user would type it into Claude: the resource
    /// metadata's `resource` must equal it.
    let url: String
    let scheme: String
    let host: String
    /// `scheme://host[:port]`.
    let origin: String
    /// The path without a trailing slash; empty for the root.
    let path: String

    init?(_ text: String) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
            components.user == nil, components.password == nil, components.fragment == nil
        else { return nil }
        self.url = text
        self.scheme = scheme
        self.host = host.lowercased()
        let port = components.port.map { ":\($0)" } ?? ""
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        self.origin = "\(scheme)://\(bracketed.lowercased())\(port)"
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        self.path = path
    }

    var isLoopback: Bool {
        host == "localhost" || host.hasSuffix(".localhost") || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }

    /// RFC 9728 §3.1: the well-known segment goes between the host and the
    /// resource's path; the root form is what clients try next.
    var resourceMetadataURLs: (pathInserted: String, root: String) {
        (origin + "/.well-known/oauth-protected-resource" + path, origin + "/.well-known/oauth-protected-resource")
    }

    /// Where an issuer's metadata may be, in the order MCP clients try them:
    /// RFC 8414 (path inserted), OpenID Connect with the path inserted, and
    /// OpenID Connect appended to the issuer.
    static func authorizationServerMetadataURLs(issuer: String) -> [String] {
        guard let address = EndpointAddress(issuer) else { return [] }
        let inserted = [
            address.origin + "/.well-known/oauth-authorization-server" + address.path,
            address.origin + "/.well-known/openid-configuration" + address.path,
        ]
        guard !address.path.isEmpty else { return inserted }
        return inserted + [address.origin + address.path + "/.well-known/openid-configuration"]
    }
}
