import Caller
import ConnectorModel
import GatehouseJSON
import Logging
import Synchronization

/// Runs one tool call: validate the arguments, build the request, pass the
/// connector's and the tool's limits, call the upstream (retrying what is
/// safe to retry), shape its answer. Every failure becomes a tool result
/// with `isError`, written so the model can correct itself.
public struct ToolInvoker: Sendable {
    public var client: any UpstreamClient
    public var builder: RequestBuilder
    public var shaper: ResponseShaper
    public var limits: LimitRegistry
    /// Obtains the credentials connector files do not hold.
    public var credentials: any CredentialSource
    /// Waits between retries; tests replace it to run without sleeping.
    public var sleep: @Sendable (Duration) async -> Void

    /// Signs and reads the cursors of paginated tools.
    let cursors: PageCursors

    public init(
        client: any UpstreamClient, builder: RequestBuilder = RequestBuilder(), shaper: ResponseShaper = ResponseShaper(),
        limits: LimitRegistry = LimitRegistry(), credentials: any CredentialSource = NoCredentialSource(),
        sleep: @escaping @Sendable (Duration) async -> Void = { try? await Task.sleep(for: $0) }, cursors: PageCursors = .random()
    ) {
        self.cursors = cursors
        self.client = client
        self.builder = builder
        self.shaper = shaper
        self.limits = limits
        self.credentials = credentials
        self.sleep = sleep
    }

    /// How long after its timeout a call is stopped whatever it is doing.
    static let backstopGrace: Duration = .milliseconds(50)

    /// How a call ended, for metrics and the audit log.
    public enum Kind: String, Sendable {
        case ok
        /// The upstream answered, with an error status.
        case upstreamError = "upstream_error"
        case invalidArguments = "invalid_arguments"
        case timeout
        case unreachable
        case tooLarge = "too_large"
        case rateLimited = "rate_limited"
        case overloaded
        /// The client went away or cancelled the request first.
        case cancelled
        /// The tool sends the caller's own credential and nobody signed in.
        case unauthenticated
        /// The user must link an account, enter a key or sign in again.
        case userActionRequired = "user_action_required"
        /// A service or exchanged token could not be obtained.
        case credentialUnavailable = "credential_unavailable"
    }

    public struct Outcome: Sendable {
        public var result: ToolResult
        public var kind: Kind
        /// The upstream status, when the upstream answered.
        public var upstreamStatus: Int?
        /// Bytes of the upstream answer.
        public var responseBytes: Int = 0
        /// Time spent in upstream calls, retries and their waits included.
        public var upstreamDuration: Duration?
        public var attempts: Int = 0
        /// What the user must do before the call can succeed.
        public var userAction: UserAction?
    }

    /// - Parameter extraAbandonments: further reasons to stop early besides
    ///   the client's connection closing (a protocol-level cancellation).
    public func invoke(
        _ tool: ToolDefinition, target: UpstreamTarget, arguments: JSONObject, caller: CallerIdentity,
        abandonments extraAbandonments: [any CallAbandonment] = []
    ) async -> Outcome {
        let violations = tool.inputSchema.validate(.object(arguments))
        guard violations.isEmpty else {
            let details = violations.map(\.description).joined(separator: "; ")
            return Outcome(result: .error("Invalid arguments for \(tool.name): \(details)."), kind: .invalidArguments)
        }
        var arguments = arguments
        var page: PageState?
        if let pagination = tool.pagination {
            do {
                page = try startingPage(of: pagination, tool: tool, arguments: &arguments, caller: caller)
            } catch {
                return Outcome(result: .error("Invalid arguments for \(tool.name): \(error)."), kind: .invalidArguments)
            }
        }
        var request: UpstreamRequest
        do {
            request = try builder.build(tool: tool, target: target, arguments: arguments, caller: caller)
        } catch {
            return Outcome(result: .error("Invalid arguments for \(tool.name): \(error.message)."), kind: .invalidArguments)
        }
        if let pagination = tool.pagination {
            request.page = page
            let unsealed = arguments
            request.sealCursor = { [cursors] state in cursors.seal(state, tool: tool.name, arguments: unsealed, caller: caller.subject) }
            guard let applied = Self.applying(page, of: pagination, to: request, target: target) else {
                return Outcome(result: .error("Invalid arguments for \(tool.name): the cursor leads away from the API."), kind: .invalidArguments)
            }
            request = applied
        }
        if let trace = RequestTrace.current { request.headers += trace.upstreamHeaders }
        let obtained = target.auth?.isObtained == true
        if obtained, target.auth?.isPerUser == true, caller.subject == nil {
            return Outcome(
                result: .error("\(tool.name) calls its API as the signed-in user, and this request is not signed in. Connect with a sign-in first."),
                kind: .unauthenticated)
        }
        var abandonments = extraAbandonments
        if let connection = ClientConnection.abandonment { abandonments.append(connection) }
        let started = ContinuousClock.now
        let finalRequest = request
        let limited = !(tool.limits.isEmpty && target.limits.isEmpty)
        // Only a call that may wait for a slot needs to say it was waiting.
        let slotWait = limited ? SlotWait() : nil
        // The backstop fires a moment after the inner bounds (the wait for a
        // slot, the HTTP client's deadline for the head), so those report
        // their own, more specific reasons when they apply.
        let outcome = await withCallDeadline(request.timeout + Self.backstopGrace, abandonments: abandonments) { [self] in
            let perform = { [self] () async -> Outcome in
                guard obtained else { return await send(finalRequest, tool: tool, target: target) }
                return await sendWithCredential(finalRequest, tool: tool, target: target, caller: caller)
            }
            guard limited else { return await perform() }
            return await withLimits(tool: tool, target: target, caller: caller, timeout: finalRequest.timeout, slotWait: slotWait) {
                await perform()
            }
        }
        switch outcome {
        case .success(let outcome):
            return outcome
        case .failure(.timedOut):
            // Still waiting for a slot: say the API was busy, not slow.
            if let busy = slotWait?.refusal { return busy }
            return Outcome(
                result: .error(message(for: .timedOut(request.timeout), request: request, target: target)), kind: .timeout,
                upstreamDuration: ContinuousClock.now - started)
        case .failure(.abandoned):
            return Outcome(
                result: .error("The call to \(tool.name) was cancelled before it finished."), kind: .cancelled,
                upstreamDuration: ContinuousClock.now - started)
        }
    }

    /// Rate limits first (a refused call should not queue), then the
    /// concurrency limits, always connector before tool.
    func withLimits(
        tool: ToolDefinition, target: UpstreamTarget, caller: CallerIdentity, timeout: Duration, slotWait: SlotWait? = nil,
        _ body: () async -> Outcome
    ) async -> Outcome {
        let gates = [
            target.limits.isEmpty ? nil : ("connector \(target.connector)", limits.connector(target.connector, limits: target.limits)),
            tool.limits.isEmpty ? nil : ("tool \(tool.name)", limits.tool(tool.name, of: target.connector, limits: tool.limits)),
        ].compactMap { $0 }
        let key = caller.subject ?? "anonymous"
        for (scope, gate) in gates {
            guard let rate = gate.rate, case .limited(let retryAfter) = rate.take(for: key) else { continue }
            let seconds = max(1, (retryAfter.milliseconds + 999) / 1000)
            return Outcome(
                result: .error(
                    "Rate limit reached for \(scope): at most \(rate.limit.requests) calls per \(rate.limit.period.periodName) per user. Retry after \(seconds) s."
                ),
                kind: .rateLimited)
        }
        let deadline = ContinuousClock.now + timeout
        var held: [ConcurrencyLimiter] = []
        defer { for limiter in held { limiter.release() } }
        for (scope, gate) in gates {
            guard let limiter = gate.concurrency else { continue }
            let busy = Outcome(
                result: .error(
                    "Too many calls to \(scope) are in progress (at most \(limiter.capacity) at once) and none finished within \(timeout.formatted). Try again shortly."
                ),
                kind: .overloaded)
            slotWait?.refusal = busy
            guard await limiter.acquire(until: deadline) else { return busy }
            slotWait?.refusal = nil
            held.append(limiter)
        }
        return await body()
    }

    /// Calls the upstream and shapes its answer: one request, or for a
    /// paginated tool as many pages as the call may gather.
    func send(_ request: UpstreamRequest, tool: ToolDefinition, target: UpstreamTarget) async -> Outcome {
        if let pagination = tool.pagination { return await sendPaged(request, tool: tool, target: target, pagination: pagination) }
        let started = ContinuousClock.now
        switch await fetch(request, tool: tool, target: target) {
        case .answer(let response, let attempts):
            let result = shaper.shape(response, tool: tool, request: request)
            return Outcome(
                result: result, kind: (200..<300).contains(response.status) ? .ok : .upstreamError,
                upstreamStatus: response.status, responseBytes: response.body.count,
                upstreamDuration: ContinuousClock.now - started, attempts: attempts)
        case .failure(let failure, let attempts):
            return Outcome(
                result: .error(message(for: failure, request: request, target: target)), kind: failure.kind,
                upstreamDuration: ContinuousClock.now - started, attempts: attempts)
        }
    }

    /// What one request came to, retries included.
    enum Fetched {
        case answer(UpstreamResponse, attempts: Int)
        case failure(UpstreamFailure, attempts: Int)
    }

    /// Calls the upstream, retrying idempotent calls on connection failures
    /// and on the statuses the policy names, while the call's time budget
    /// allows another wait.
    func fetch(_ request: UpstreamRequest, tool: ToolDefinition, target: UpstreamTarget) async -> Fetched {
        let policy = tool.isIdempotent ? (tool.retries ?? target.retries) : .off
        let started = ContinuousClock.now
        let trace = RequestTrace.current
        var attempt = 0
        while true {
            attempt += 1
            let failure: UpstreamFailure
            do {
                let response: UpstreamResponse
                if let trace, trace.span?.isRecording == true {
                    response = try await trace.attempt(request, number: attempt, connector: target.connector) { [client] request throws(UpstreamFailure) in
                        try await client.send(request)
                    }
                } else {
                    response = try await client.send(request)
                }
                if attempt <= policy.maxRetries, policy.retries(status: response.status),
                    await waitBeforeRetry(attempt, policy: policy, retryAfter: response.retryAfter, started: started, budget: request.timeout)
                {
                    continue
                }
                return .answer(response, attempts: attempt)
            } catch {
                failure = error
            }
            if case .connectionFailed = failure, attempt <= policy.maxRetries,
                await waitBeforeRetry(attempt, policy: policy, retryAfter: nil, started: started, budget: request.timeout)
            {
                continue
            }
            return .failure(failure, attempts: attempt)
        }
    }

    /// Waits before retry number `attempt`, unless that would overrun the
    /// call's time budget; says whether to retry.
    func waitBeforeRetry(
        _ attempt: Int, policy: RetryPolicy, retryAfter: Duration?, started: ContinuousClock.Instant, budget: Duration
    ) async -> Bool {
        var wait = policy.delay(beforeRetry: attempt)
        if let retryAfter {
            // The upstream's own hint wins, unless it asks for longer than we
            // would ever wait.
            guard retryAfter <= policy.maxBackoff else { return false }
            wait = max(wait, retryAfter)
        }
        guard ContinuousClock.now - started + wait < budget, !Task.isCancelled else { return false }
        await sleep(wait)
        return !Task.isCancelled
    }

    func message(for failure: UpstreamFailure, request: UpstreamRequest, target: UpstreamTarget) -> String {
        switch failure {
        case .timedOut(let timeout):
            "The upstream API did not answer \(request.method.rawValue) \(request.displayURL) within \(timeout.formatted). It may be slow or down; try again later or with a narrower request."
        case .connectionFailed(let reason):
            "The upstream API at \(target.baseURL.origin) could not be reached (\(reason)). It may be down; try again later."
        case .responseTooLarge(let limit):
            "The upstream answer to \(request.method.rawValue) \(request.displayURL) is larger than \(limit) bytes and was refused. Narrow the request (filters, a smaller limit)."
        }
    }
}

/// What a call waiting for a concurrency slot would answer if its time ran
/// out there, so the deadline reports "busy" rather than "slow".
final class SlotWait: Sendable {
    private let state = Mutex<ToolInvoker.Outcome?>(nil)

    var refusal: ToolInvoker.Outcome? {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}

extension UpstreamFailure {
    var kind: ToolInvoker.Kind {
        switch self {
        case .timedOut: .timeout
        case .connectionFailed: .unreachable
        case .responseTooLarge: .tooLarge
        }
    }
}

extension Duration {
    var formatted: String {
        let ms = milliseconds
        return ms % 1000 == 0 ? "\(ms / 1000)s" : "\(ms)ms"
    }

    /// `second`, `minute`, `hour`, `day`, or a plain duration.
    var periodName: String {
        switch milliseconds {
        case 1000: "second"
        case 60_000: "minute"
        case 3_600_000: "hour"
        case 86_400_000: "day"
        default: formatted
        }
    }
}
