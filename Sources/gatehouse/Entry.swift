import Foundation
import NIOCore
import NIOPosix

/// Starts the command with Swift concurrency running on NIO's event loops,
/// so a request does not hop between the I/O threads and a separate task
/// pool on its way through the gateway (see BENCHMARKS.md for the effect).
@main
enum Entry {
    static func main() {
        if ProcessInfo.processInfo.environment["GATEHOUSE_SEPARATE_TASK_POOL"] == nil {
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        Task {
            await Gatehouse.main()
            exit(0)
        }
        dispatchMain()
    }
}
