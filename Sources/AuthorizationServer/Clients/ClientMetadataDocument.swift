import Foundation
import GatehouseJSON

/// A client identified by the https URL of its own metadata document
/// (OAuth Client ID Metadata Document): the URL is the client id, and the
/// document, fetched from it, must say so.
public enum ClientMetadataDocument {
    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Whether a `client_id` is a metadata document URL at all: https with a
    /// path, no fragment, no credentials, no dot segments.
    public static func isDocumentURL(_ clientID: String) -> Bool {
        guard clientID.hasPrefix("https://"), let components = URLComponents(string: clientID),
            components.scheme == "https", let host = components.host, !host.isEmpty, components.user == nil,
            components.password == nil, components.fragment == nil, components.path.count > 1
        else { return false }
        let segments = components.path.split(separator: "/", omittingEmptySubsequences: false)
        return !segments.contains(".") && !segments.contains("..")
    }

    /// Validates a fetched document against the URL it came from.
    public static func client(
        from body: [UInt8], url: String, policy: RedirectURIPolicy, maximumBytes: Int = 5 * 1024
    ) throws(Refusal) -> RegisteredClient {
        guard body.count <= maximumBytes else { throw Refusal(description: "the client metadata document is larger than \(maximumBytes) bytes") }
        let value: JSONValue
        do { value = try JSONParser.parse(body) } catch { throw Refusal(description: "the client metadata document is not valid JSON") }
        guard case .string(let clientID)? = value["client_id"] else {
            throw Refusal(description: "the client metadata document has no client_id")
        }
        guard clientID == url else {
            throw Refusal(description: "the client metadata document's client_id (\(clientID)) differs from its URL (\(url))")
        }
        let metadata: ClientMetadata
        do { metadata = try ClientMetadata(value, policy: policy, publicOnly: true) } catch {
            throw Refusal(description: error.description)
        }
        guard metadata.name != nil else { throw Refusal(description: "the client metadata document has no client_name") }
        return RegisteredClient(
            clientID: url, origin: .metadataDocument, name: metadata.name, redirectURIs: metadata.redirectURIs,
            tokenEndpointAuthMethod: "none", grantTypes: metadata.grantTypes, clientURI: metadata.clientURI,
            logoURI: metadata.logoURI, scope: metadata.scope)
    }
}
