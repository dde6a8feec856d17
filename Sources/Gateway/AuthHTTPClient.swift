import AsyncHTTPClient
import Foundation
import NIOCore
import OAuth

/// Issuer metadata, key sets and introspection over the shared HTTP client.
public struct HTTPAuthClient: AuthHTTPClient {
    let client: HTTPClient

    public init(client: HTTPClient) {
        self.client = client
    }

    let timeout: TimeAmount = .seconds(10)
    let maximumBytes = 1 << 20

    public func get(_ url: String) async throws -> (status: Int, body: [UInt8]) {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await client.execute(request, timeout: timeout)
        var body = try await response.body.collect(upTo: maximumBytes)
        return (Int(response.status.code), body.readBytes(length: body.readableBytes) ?? [])
    }

    public func postForm(_ url: String, form: [(String, String)], basicAuth: (user: String, password: String)?) async throws
        -> (status: Int, body: [UInt8])
    {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        if let basicAuth {
            let credentials = Data("\(Self.formEncode(basicAuth.user)):\(Self.formEncode(basicAuth.password))".utf8)
            request.headers.add(name: "Authorization", value: "Basic " + credentials.base64EncodedString())
        }
        let encoded = form.map { Self.formEncode($0.0) + "=" + Self.formEncode($0.1) }.joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: encoded))
        let response = try await client.execute(request, timeout: timeout)
        var body = try await response.body.collect(upTo: maximumBytes)
        return (Int(response.status.code), body.readBytes(length: body.readableBytes) ?? [])
    }

    /// `application/x-www-form-urlencoded` (RFC 6749 appendix B also uses it
    /// for client credentials in Basic authentication).
    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return (text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text).replacingOccurrences(of: "%20", with: "+")
    }
}
