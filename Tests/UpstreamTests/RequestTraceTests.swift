import Testing

@testable import Upstream

@Suite struct RequestTraceTests {
    @Test func newTracesGetDistinctIdsWithoutTheKernel() {
        var seen = Set<String>()
        for _ in 0..<10_000 {
            let trace = RequestTrace(requestIDHeader: nil, traceparent: nil)
            #expect(seen.insert(trace.context.traceID.description).inserted)
            #expect(trace.requestID == trace.context.traceID.description)
        }
    }

    @Test func theGeneratorSpreadsItsBits() {
        var random = TraceRandom()
        var ones = [Int](repeating: 0, count: 64)
        let draws = 20_000
        for _ in 0..<draws {
            let value = random.next()
            for bit in 0..<64 where value & (1 << UInt64(bit)) != 0 { ones[bit] += 1 }
        }
        // Each bit is set about half the time (±5 % of the draws).
        #expect(ones.allSatisfy { abs($0 - draws / 2) < draws / 20 }, "\(ones)")
    }

    @Test func aCallersTraceIsContinuedWithANewSpan() {
        let parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        let trace = RequestTrace(requestIDHeader: "req-1", traceparent: parent)
        #expect(trace.requestID == "req-1")
        #expect(trace.context.traceID.description == "0af7651916cd43dd8448eb211c80319c")
        #expect(trace.context.spanID.description != "b7ad6b7169203331")
        let upstream = trace.upstreamHeaders
        #expect(upstream.first { $0.name == "traceparent" }?.value.hasPrefix("00-0af7651916cd43dd8448eb211c80319c-") == true)
    }
}
