import MCPProtocol
import NIOCore
import Upstream

/// A call abandoned when a cancellation signal fires.
struct SignalAbandonment: CallAbandonment {
    let signal: CancellationSignal

    func waitUntilAbandoned() async { await signal.wait() }
}

/// A call abandoned when the client's connection goes away.
///
/// The connection's ``ConnectionGuard`` owns the signal; it is looked up
/// only when a tool call starts waiting, on the connection's event loop,
/// so requests that never reach an upstream pay nothing for it.
struct ChannelAbandonment: CallAbandonment {
    let channel: any Channel

    func waitUntilAbandoned() async {
        let channel = self.channel
        let signal = try? await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: ConnectionGuard.self).closed
        }.get()
        // Without a guard (a test server) nothing can tell that the client
        // left: wait until the race is over.
        await (signal ?? CancellationSignal()).wait()
    }
}
