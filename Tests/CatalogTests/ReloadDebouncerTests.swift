import Testing

@testable import Catalog

@Suite("One burst of folder events, one reload")
struct ReloadDebouncerTests {
    let start = ContinuousClock.now

    @Test func aBurstIsDueOnceItHasBeenQuiet() {
        var debouncer = ReloadDebouncer(quiet: .milliseconds(50), longest: .seconds(1))
        #expect(debouncer.due == nil)
        debouncer.note(.folderChanged, at: start)
        debouncer.note(.folderChanged, at: start + .milliseconds(30))
        debouncer.note(.folderChanged, at: start + .milliseconds(52))
        #expect(debouncer.due == start + .milliseconds(102))
        #expect(debouncer.take(at: start + .milliseconds(101)) == nil, "not before the burst has been quiet")
        #expect(debouncer.take(at: start + .milliseconds(102)) == .folderChanged)
        #expect(debouncer.take(at: start + .seconds(5)) == nil, "one burst, one reload")
        #expect(debouncer.due == nil)
    }

    @Test func aFolderThatNeverStopsChangingIsStillReloaded() {
        var debouncer = ReloadDebouncer(quiet: .milliseconds(50), longest: .seconds(1))
        var now = start
        for _ in 0..<100 {
            debouncer.note(.folderChanged, at: now)
            now += .milliseconds(20)
        }
        #expect(debouncer.due == start + .seconds(1))
    }

    @Test func aHangupInTheBurstAsksForAFullReload() {
        var debouncer = ReloadDebouncer(quiet: .milliseconds(50), longest: .seconds(1))
        debouncer.note(.hangup, at: start)
        debouncer.note(.folderChanged, at: start + .milliseconds(10))
        #expect(debouncer.take(at: start + .seconds(1)) == .hangup)
    }
}
