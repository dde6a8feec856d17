import ConnectorModel

/// A credential obtained at call time (a service token, a user's token or
/// key), and where the request carries it.
public struct UpstreamCredential: Sendable, Equatable {
    public enum Placement: Sendable, Equatable {
        /// `Authorization: Bearer <value>`.
        case bearer
        /// A header, with text before the value (`"Token "`, or nothing).
        case header(name: String, prefix: String)
        case query(name: String)
    }

    public var value: String
    public var placement: Placement
    /// Finds this value in answers; built once per value, not per call.
    public var redactor: SecretRedactor

    public init(value: String, placement: Placement = .bearer, redactor: SecretRedactor) {
        self.value = value
        self.placement = placement
        self.redactor = redactor
    }

    public static func == (a: Self, b: Self) -> Bool { a.value == b.value && a.placement == b.placement }

    /// Adds the credential to a request the builder made.
    func apply(to request: inout UpstreamRequest) {
        switch placement {
        case .bearer: request.headers.append(("Authorization", "Bearer " + value))
        case .header(let name, let prefix): request.headers.append((name, prefix + value))
        case .query(let name):
            request.url += (request.url.contains("?") ? "&" : "?") + PercentEncoding.encode(name) + "=" + PercentEncoding.encode(value)
        }
        request.credentialRedactor = redactor
    }
}
