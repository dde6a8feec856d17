import AsyncHTTPClient
import AuthorizationServer
import NIOCore

/// Fetches client metadata documents over the shared HTTP client: no
/// redirects (the client refuses them), a short timeout, and a size cap
/// checked while reading, so a hostile URL cannot stall or bloat a sign-in.
struct HTTPMetadataDocumentFetcher: MetadataDocumentFetcher {
    let client: HTTPClient
    var timeout: TimeAmount = .seconds(5)

    func fetch(_ url: String, maximumBytes: Int) async throws -> (status: Int, body: [UInt8], maxAge: Int?) {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await client.execute(request, timeout: timeout)
        var body = try await response.body.collect(upTo: maximumBytes)
        let maxAge = response.headers.first(name: "Cache-Control").flatMap(Self.maxAge)
        return (Int(response.status.code), body.readBytes(length: body.readableBytes) ?? [], maxAge)
    }

    /// `max-age=N` from a Cache-Control value; `no-store`/`no-cache` mean 0.
    static func maxAge(_ header: String) -> Int? {
        for directive in header.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            if directive == "no-store" || directive == "no-cache" { return 0 }
            if directive.hasPrefix("max-age="), let seconds = Int(directive.dropFirst(8)) { return seconds }
        }
        return nil
    }
}
