import Foundation
import GatehouseJSON
import OAuth
import Synchronization

/// Finds an issuer's endpoints in its metadata: RFC 8414 first, then
/// OpenID Connect discovery, both checked to name the issuer asked for.
/// Kept for a few minutes; every token request would otherwise need it.
public final class IssuerDiscovery: Sendable {
    public struct Endpoints: Sendable, Equatable {
        public var authorization: String?
        public var token: String
    }

    let http: any AuthHTTPClient
    let allowInsecure: Bool
    let cached = Mutex<[String: (endpoints: Endpoints, until: ContinuousClock.Instant)]>([:])
    static let lifetime: Duration = .seconds(300)

    /// - Parameter allowInsecure: accept `http://` issuers beyond loopback.
    public init(http: any AuthHTTPClient, allowInsecure: Bool = false) {
        self.http = http
        self.allowInsecure = allowInsecure
    }

    public func endpoints(issuer: String) async throws(GrantFailure) -> Endpoints {
        let now = ContinuousClock.now
        if let hit = cached.withLock({ $0[issuer] }), hit.until > now { return hit.endpoints }
        guard AuthSettings.isAcceptableIssuerURL(issuer, allowInsecure: allowInsecure) else {
            throw GrantFailure(.badAnswer, "the issuer \(issuer) must be an https URL")
        }
        for url in Self.metadataURLs(issuer) {
            guard let answer = try? await http.get(url), answer.status == 200, let document = try? JSONParser.parse(answer.body)
            else { continue }
            guard document["issuer"]?.stringValue == issuer else {
                throw GrantFailure(.badAnswer, "the metadata at \(url) names another issuer than \(issuer)")
            }
            guard let token = document["token_endpoint"]?.stringValue else {
                throw GrantFailure(.badAnswer, "the metadata of \(issuer) names no token endpoint")
            }
            let endpoints = Endpoints(authorization: document["authorization_endpoint"]?.stringValue, token: token)
            cached.withLock { $0[issuer] = (endpoints, now + Self.lifetime) }
            return endpoints
        }
        throw GrantFailure(.unreachable, "no metadata was found for the issuer \(issuer)")
    }

    /// RFC 8414 §3.1 inserts the well-known path before the issuer's own
    /// path; OpenID Connect appends it.
    static func metadataURLs(_ issuer: String) -> [String] {
        var trimmed = issuer
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme, let host = components.host else {
            return [trimmed + "/.well-known/openid-configuration"]
        }
        let origin = "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
        return [
            origin + "/.well-known/oauth-authorization-server" + components.path,
            trimmed + "/.well-known/openid-configuration",
        ]
    }
}
