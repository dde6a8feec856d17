import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing

@testable import Gateway

/// The guard and the progress reporter in an embedded pipeline, with time
/// advanced by hand: every timeout is checked to the millisecond without
/// waiting for it.
struct GuardedPipeline {
    let loop = EmbeddedEventLoop()
    let channel: EmbeddedChannel
    let connectionGuard: ConnectionGuard

    init(limits: ConnectionLimits = .testing) throws {
        channel = EmbeddedChannel(loop: loop)
        connectionGuard = ConnectionGuard(limits: limits)
        // No HTTP decoder behind it: the test reports the request's progress
        // the way RequestProgressHandler would.
        try channel.pipeline.syncOperations.addHandler(connectionGuard)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
    }

    var isOpen: Bool { channel.isActive }

    func advance(_ duration: Duration) { loop.advanceTime(by: .init(duration)) }

    /// Raw bytes arriving, as the guard sees them.
    func bytes(_ text: String) {
        guard isOpen else { return }
        try? channel.writeInbound(ByteBuffer(string: text))
        _ = try? channel.readInbound(as: ByteBuffer.self)
    }

    func head() { connectionGuard.headReceived() }
    func end() { connectionGuard.requestReceived() }
    func responded() { connectionGuard.responseFinished() }
}

extension ConnectionLimits {
    static var testing: ConnectionLimits {
        var limits = ConnectionLimits()
        limits.headerTimeout = .seconds(2)
        limits.bodyTimeout = .seconds(5)
        limits.idleTimeout = .seconds(10)
        return limits
    }
}

@Suite("Connection timeouts")
struct ConnectionGuardTests {
    @Test func aSilentConnectionIsClosedAtTheHeaderTimeout() throws {
        let pipe = try GuardedPipeline()
        pipe.advance(.milliseconds(1999))
        #expect(pipe.isOpen)
        pipe.advance(.milliseconds(2))
        #expect(!pipe.isOpen)
        #expect(pipe.connectionGuard.closed.isFired)
    }

    @Test func aHeadDrippedByteByByteIsClosedAtTheHeaderTimeout() throws {
        let pipe = try GuardedPipeline()
        for byte in "GET /mcp HTTP/1.1\r\nHost: gatehouse.example\r\n" {
            pipe.bytes(String(byte))
            pipe.advance(.milliseconds(100))
            if !pipe.isOpen { break }
        }
        #expect(!pipe.isOpen, "bytes trickling in do not extend the time for the head")
    }

    @Test func theBodyHasItsOwnTimeout() throws {
        let pipe = try GuardedPipeline()
        pipe.bytes("POST /mcp HTTP/1.1\r\n\r\n")
        pipe.head()
        pipe.advance(.seconds(4))
        #expect(pipe.isOpen, "the header timeout no longer applies once the head is in")
        pipe.advance(.milliseconds(1001))
        #expect(!pipe.isOpen)
    }

    @Test func nothingIsTimedWhileAResponseIsProduced() throws {
        let pipe = try GuardedPipeline()
        pipe.bytes("GET /mcp HTTP/1.1\r\n\r\n")
        pipe.head()
        pipe.end()
        pipe.advance(.seconds(3600))
        #expect(pipe.isOpen, "a long call or notification stream is not cut off")
        pipe.responded()
        pipe.advance(.seconds(9))
        #expect(pipe.isOpen)
        pipe.advance(.seconds(2))
        #expect(!pipe.isOpen, "idle keep-alive connections close after the idle timeout")
    }

    @Test func theNextRequestGetsTheHeaderTimeoutFromItsFirstByte() throws {
        let pipe = try GuardedPipeline()
        pipe.bytes("GET / HTTP/1.1\r\n\r\n")
        pipe.head()
        pipe.end()
        pipe.responded()
        pipe.advance(.seconds(8))
        pipe.bytes("G")
        pipe.advance(.milliseconds(1900))
        #expect(pipe.isOpen)
        pipe.advance(.milliseconds(200))
        #expect(!pipe.isOpen, "a started head must be finished within the header timeout")
    }

    @Test func aRefusalSentBeforeTheBodyStillLeadsToTheIdleTimeout() throws {
        let pipe = try GuardedPipeline()
        pipe.bytes("POST /mcp HTTP/1.1\r\n\r\n")
        pipe.head()
        pipe.responded()
        pipe.end()
        pipe.advance(.seconds(9))
        #expect(pipe.isOpen)
        pipe.advance(.seconds(2))
        #expect(!pipe.isOpen)
    }

    @Test func theClientClosingItsSideClosesTheConnectionAndFiresTheSignal() throws {
        let pipe = try GuardedPipeline()
        pipe.bytes("GET /mcp HTTP/1.1\r\n\r\n")
        pipe.head()
        pipe.end()
        pipe.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(pipe.connectionGuard.closed.isFired)
        #expect(!pipe.isOpen)
    }

    /// One timer serves every phase and moves itself when it fires early:
    /// after many quick requests, each timeout still counts from the
    /// moment its phase began, to the millisecond.
    @Test func manyQuickRequestsLeaveEveryTimeoutExact() throws {
        let pipe = try GuardedPipeline()
        for _ in 0..<50 {
            pipe.bytes("GET / HTTP/1.1\r\n\r\n")
            pipe.head()
            pipe.advance(.milliseconds(300))
            pipe.end()
            pipe.advance(.milliseconds(300))
            pipe.responded()
            pipe.advance(.milliseconds(300))
        }
        #expect(pipe.isOpen)
        pipe.advance(.milliseconds(9699))
        #expect(pipe.isOpen, "the idle timeout counts from the last answer")
        pipe.advance(.milliseconds(2))
        #expect(!pipe.isOpen)
    }

    @Test func aShorterTimeoutAfterALongerOneStillFiresOnTime() throws {
        let pipe = try GuardedPipeline()
        pipe.bytes("GET / HTTP/1.1\r\n\r\n")
        pipe.head()
        pipe.end()
        pipe.responded()
        // Idle (10 s) is armed; a new request's head (2 s) must not wait for it.
        pipe.advance(.milliseconds(100))
        pipe.bytes("G")
        pipe.advance(.milliseconds(1999))
        #expect(pipe.isOpen)
        pipe.advance(.milliseconds(2))
        #expect(!pipe.isOpen)
    }
}
