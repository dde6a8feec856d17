import NIOCore

/// Runs a task's jobs on one NIO event loop.
///
/// A request read on an event loop and answered from a task on Swift's
/// global pool crosses threads four times (in, to the upstream client's
/// loop, back, out); on two cores those hand-offs, not the gateway's work,
/// bounded a small call. A task that prefers this executor runs its
/// nonisolated code, and the default actors it visits, on the loop that
/// owns its connection, where the upstream connection it uses lives too.
public final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: immutable after init; `EventLoop` is Sendable.
    public let eventLoop: any EventLoop

    public init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// The executor a request's task prefers, bound by the connection that
    /// read the request; `nil` elsewhere (tests, background work), where
    /// tasks run on Swift's global pool as usual. Unstructured tasks do not
    /// inherit an executor preference, so code that starts one on the hot
    /// path passes this along.
    @TaskLocal public static var current: EventLoopTaskExecutor?
}
