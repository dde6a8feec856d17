/// Something that can tell a running tool call that nobody is waiting for
/// its answer any more: the client closed its connection, or sent a
/// cancellation for the request.
///
/// A seam, so the invoker stops upstream work for a reason it cannot see
/// itself (the HTTP connection lives in the gateway, a legacy cancellation
/// in the protocol layer) and tests can abandon a call on cue. It is a
/// callback rather than something to await: watching costs a lock and a
/// closure per call, not a task.
public protocol CallAbandonment: Sendable {
    /// Runs `action` once when the call is abandoned, at once if it already
    /// is. Returns what stops watching; after it returns, `action` runs no
    /// more.
    func whenAbandoned(_ action: @escaping @Sendable () -> Void) -> AbandonmentWatch
}

/// Stops watching for an abandonment.
public struct AbandonmentWatch: Sendable {
    let stop: @Sendable () -> Void

    public init(stop: @escaping @Sendable () -> Void) {
        self.stop = stop
    }

    public func cancel() { stop() }
}

/// The connection a request arrived on, for the length of that request.
///
/// A task-local value rather than a parameter: it is set where the request
/// enters (once per connection) and read where the upstream call is made,
/// with the protocol layer in between knowing nothing of connections.
public enum ClientConnection {
    @TaskLocal public static var abandonment: (any CallAbandonment)?
}
