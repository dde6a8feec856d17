import ConnectorModel
import Synchronization
import Upstream

/// A real API behind a recorder: the first exchange of a call is kept, to
/// be written as the case's fixture.
final class RecordingUpstream: UpstreamClient {
    let client: any UpstreamClient
    private let first = Mutex<(UpstreamRequest, UpstreamResponse)?>(nil)

    init(client: any UpstreamClient) {
        self.client = client
    }

    var exchange: (request: UpstreamRequest, response: UpstreamResponse)? { first.withLock { $0 } }

    func send(_ request: UpstreamRequest) async throws(UpstreamFailure) -> UpstreamResponse {
        let response = try await client.send(request)
        first.withLock { if $0 == nil { $0 = (request, response) } }
        return response
    }
}
