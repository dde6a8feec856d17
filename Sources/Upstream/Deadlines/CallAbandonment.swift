/// Something that can tell a running tool call that nobody is waiting for
/// its answer any more: the client closed its connection, or sent a
/// cancellation for the request.
///
/// A seam, so the invoker stops upstream work for a reason it cannot see
/// itself (the HTTP connection lives in the gateway, a legacy cancellation
/// in the protocol layer) and tests can abandon a call on cue.
public protocol CallAbandonment: Sendable {
    /// Returns once the call is abandoned. Must return promptly when the
    /// waiting task is cancelled, whether or not the call was abandoned.
    func waitUntilAbandoned() async
}

/// The connection a request arrived on, for the length of that request.
///
/// A task-local value rather than a parameter: it is set where the request
/// enters (the HTTP route) and read where the upstream call is made, with
/// the protocol layer in between knowing nothing of connections.
public enum ClientConnection {
    @TaskLocal public static var abandonment: (any CallAbandonment)?
}
