import NIOCore

/// One request on one pooled connection, from the moment it is written to
/// the moment its answer (or failure) is known. Lives on the connection's
/// event loop only.
final class UpstreamExchange: @unchecked Sendable {
    // @unchecked: confined to the connection's event loop.
    let maxBytes: Int
    /// Whether any part of the answer arrived: before that, a failure on a
    /// reused connection may be the upstream having closed it while idle,
    /// and an idempotent request is tried once more on a new one.
    var answerStarted = false
    private var settle: ((Result<UpstreamResponse, UpstreamFailure>, Bool) -> Void)?

    init(maxBytes: Int, settle: @escaping (Result<UpstreamResponse, UpstreamFailure>, Bool) -> Void) {
        self.maxBytes = maxBytes
        self.settle = settle
    }

    /// Settles the exchange once; later calls (a timeout racing the answer)
    /// do nothing. `reusable` says whether the connection may serve another
    /// request.
    func finish(_ result: Result<UpstreamResponse, UpstreamFailure>, reusable: Bool) {
        guard let settle else { return }
        self.settle = nil
        settle(result, reusable)
    }

    var isSettled: Bool { settle == nil }
}
