import ConnectorModel
import Synchronization
import Upstream

/// The API of a test: it keeps every request the call sends and gives each
/// the case's recorded answer, so a call runs with no network at all.
final class ReplayingUpstream: UpstreamClient {
    let answer: RecordedAnswer?
    private let sent = Mutex<[UpstreamRequest]>([])

    init(answer: RecordedAnswer?) {
        self.answer = answer
    }

    var requests: [UpstreamRequest] { sent.withLock { $0 } }

    func send(_ request: UpstreamRequest) async throws(UpstreamFailure) -> UpstreamResponse {
        sent.withLock { $0.append(request) }
        guard let answer else { throw UpstreamFailure.connectionFailed(Self.noAnswer) }
        return answer.response
    }

    static let noAnswer = "the test gives no answer for this request (add 'answer:' or record one with --record)"
}

extension RecordedAnswer {
    var response: UpstreamResponse {
        var response = UpstreamResponse(status: status, contentType: contentType, body: body)
        let headers = Dictionary(self.headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        response.link = headers["link"]
        if let retryAfter = headers["retry-after"].flatMap(Int.init) { response.retryAfter = .seconds(retryAfter) }
        return response
    }
}
