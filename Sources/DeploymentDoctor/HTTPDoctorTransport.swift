import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOSSL

/// The doctor's real transport: AsyncHTTPClient with no redirects, a bound
/// on every exchange and on the size of an answer, so a silent or endless
/// peer ends as a finding, not a hang.
public struct HTTPDoctorTransport: DoctorTransport {
    let client: HTTPClient
    let timeout: Duration
    static let maximumBodyBytes = 16 << 20

    public init(client: HTTPClient, timeout: Duration = .seconds(15)) {
        self.client = client
        self.timeout = timeout
    }

    /// A client for the doctor: redirects are reported, not followed.
    /// - Parameter caFile: PEM certificate authorities trusted beside the
    ///   system's, for a deployment behind an internal CA.
    public static func makeHTTPClient(caFile: String? = nil) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout.connect = .seconds(10)
        if let caFile {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.additionalTrustRoots = [.file(caFile)]
            configuration.tlsConfiguration = tls
        }
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func send(_ request: DoctorRequest) async throws(DoctorTransportError) -> DoctorResponse {
        var http = HTTPClientRequest(url: request.url)
        http.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { http.headers.add(name: name, value: value) }
        if let body = request.body { http.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await client.execute(http, timeout: TimeAmount(timeout))
            let body = try await response.body.collect(upTo: Self.maximumBodyBytes)
            return DoctorResponse(
                status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: Array(buffer: body))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw DoctorTransportError("no answer within \(timeout)")
        } catch is NIOTooManyBytesError {
            throw DoctorTransportError("the answer is larger than \(Self.maximumBodyBytes >> 20) MiB")
        } catch {
            throw DoctorTransportError(String(describing: error))
        }
    }
}
