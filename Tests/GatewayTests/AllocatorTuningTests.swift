import Testing

@testable import Gateway

@Suite struct AllocatorTuningTests {
    @Test func theAllocatorKeepsMemoryBetweenCallsUnlessTheOperatorTunedIt() {
        let options = AllocatorTuning.options(environment: ["PATH": "/usr/bin", "GATEHOUSE_PORT": "8080"])
        #expect(options.map(\.option) == [AllocatorTuning.trimThreshold, AllocatorTuning.topPad, AllocatorTuning.mmapThreshold])
        #expect(options.map(\.value) == [4 << 20, 1 << 20, 1 << 20])
        #expect(AllocatorTuning.options(environment: ["MALLOC_ARENA_MAX": "2"]).isEmpty)
        #expect(AllocatorTuning.options(environment: ["GLIBC_TUNABLES": "glibc.malloc.trim_threshold=0"]).isEmpty)
    }

    #if canImport(Glibc)
    @Test func glibcAcceptsTheOptions() {
        #expect(AllocatorTuning.apply(environment: [:]))
    }
    #endif
}
