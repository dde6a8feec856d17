import ConnectorModel
import Foundation
import OpenAPIKit

/// The `base_url:` of the generated connector: the one asked for, or the
/// document's first server with its variables at their defaults.
enum BaseURLChoice {
    static func resolve(option: String?, servers: [OpenAPI.Server]) throws(ImportError) -> String {
        if let option {
            let url = withoutTrailingSlash(option)
            // A secret reference is resolved when the file loads, not here.
            if url.contains("${") { return url }
            do { _ = try BaseURL(parsing: url) } catch { throw ImportError("--base-url: \(error.message)") }
            return url
        }
        guard let server = servers.first else {
            throw ImportError("the document names no server; pass --base-url with the API's URL")
        }
        let defaults = Dictionary(server.variables.map { ($0.key, $0.value.default) }, uniquingKeysWith: { first, _ in first })
        let url = withoutTrailingSlash(server.urlTemplate.replacing(defaults).absoluteString)
        guard url.contains("://") else {
            throw ImportError("the document's server URL '\(url)' is relative; pass --base-url with the API's absolute URL")
        }
        do { _ = try BaseURL(parsing: url) } catch {
            throw ImportError("the document's server URL '\(url)' cannot be used (\(error.message)); pass --base-url")
        }
        return url
    }

    private static func withoutTrailingSlash(_ url: String) -> String {
        var url = url.trimmingCharacters(in: .whitespaces)
        while url.hasSuffix("/"), !url.hasSuffix("://") { url.removeLast() }
        return url
    }
}
