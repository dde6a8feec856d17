import Caller
import ConnectorModel

extension ToolInvoker {
    /// Sends a request whose credential is obtained at call time. A 401 gets
    /// one fresh credential and one retry (a token may be revoked or expire
    /// early); a second 401 may mean the user must link or sign in again.
    func sendWithCredential(_ request: UpstreamRequest, tool: ToolDefinition, target: UpstreamTarget, caller: CallerIdentity) async
        -> Outcome
    {
        let credential: UpstreamCredential
        do {
            credential = try await credentials.credential(for: target, caller: caller, refused: nil)
        } catch {
            return Self.outcome(error, tool: tool)
        }
        var first = request
        credential.apply(to: &first)
        let outcome = await send(first, tool: tool, target: target)
        guard outcome.upstreamStatus == 401 else { return Self.withholdingAuthErrors(outcome, request: first, target: target) }

        let fresh: UpstreamCredential
        do {
            fresh = try await credentials.credential(for: target, caller: caller, refused: credential)
        } catch {
            return Self.outcome(error, tool: tool)
        }
        var second = request
        fresh.apply(to: &second)
        var retried = await send(second, tool: tool, target: target)
        retried.attempts += outcome.attempts
        if retried.upstreamStatus == 401, let failure = await credentials.rejected(fresh, for: target, caller: caller) {
            return Self.outcome(failure, tool: tool)
        }
        return Self.withholdingAuthErrors(retried, request: second, target: target)
    }

    static func outcome(_ failure: CredentialFailure, tool: ToolDefinition) -> Outcome {
        switch failure.kind {
        case .anonymous:
            return Outcome(result: .error(failure.message), kind: .unauthenticated)
        case .userAction(let action):
            return Outcome(result: .error(failure.message), kind: .userActionRequired, userAction: action)
        case .reconnect:
            return Outcome(result: .error(failure.message), kind: .userActionRequired)
        case .unavailable:
            return Outcome(result: .error("\(tool.name) could not get a credential for its API: \(failure.message)"), kind: .credentialUnavailable)
        }
    }

    /// A 401 or 403 answer to a request with an obtained credential is not
    /// quoted: APIs tend to repeat what they refused, and the user's token
    /// or key must not reach the model.
    static func withholdingAuthErrors(_ outcome: Outcome, request: UpstreamRequest, target: UpstreamTarget) -> Outcome {
        guard let status = outcome.upstreamStatus, status == 401 || status == 403 else { return outcome }
        var outcome = outcome
        let why =
            status == 401
            ? "it did not accept the \(target.auth?.kindName ?? "") credential"
            : "the credential is not allowed to do this"
        outcome.result = .error(
            "The upstream API answered \(status) to \(request.method.rawValue) \(request.displayURL): \(why). Its answer is not shown, as it may repeat the credential."
        )
        return outcome
    }
}
