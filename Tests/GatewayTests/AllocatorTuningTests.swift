import Testing

@testable import Gateway

/// What is set; that glibc accepts it is seen by every end-to-end test,
/// whose server sets it at start (setting it here, while other tests
/// allocate on other threads, would not be safe).
@Suite struct AllocatorTuningTests {
    @Test func theAllocatorKeepsMemoryBetweenCallsUnlessTheOperatorTunedIt() {
        let options = AllocatorTuning.options(environment: ["PATH": "/usr/bin", "GATEHOUSE_PORT": "8080"])
        #expect(options.map(\.option) == [AllocatorTuning.trimThreshold, AllocatorTuning.topPad, AllocatorTuning.mmapThreshold])
        #expect(options.map(\.value) == [4 << 20, 1 << 20, 1 << 20])
        #expect(AllocatorTuning.options(environment: ["MALLOC_ARENA_MAX": "2"]).isEmpty)
        #expect(AllocatorTuning.options(environment: ["GLIBC_TUNABLES": "glibc.malloc.trim_threshold=0"]).isEmpty)
    }
}
