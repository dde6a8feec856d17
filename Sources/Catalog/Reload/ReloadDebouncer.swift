/// Turns a burst of change events into one reload.
///
/// Saving a file is rarely one event: an editor writes a temporary file and
/// renames it over the old one, `kubectl` swaps a ConfigMap's links, and
/// inotify and polling may both report the result. A reload starts only once
/// the events have been quiet for `quiet`, so it reads the finished state
/// once; `longest` bounds the wait, so a folder that never stops changing
/// is still reloaded regularly.
struct ReloadDebouncer {
    let quiet: Duration
    let longest: Duration
    private(set) var pending: ReloadTrigger?
    private var first: ContinuousClock.Instant?
    private var last: ContinuousClock.Instant?

    init(quiet: Duration, longest: Duration) {
        self.quiet = quiet
        self.longest = max(longest, quiet)
    }

    /// Records an event. A SIGHUP asks for a full reload and wins over a
    /// folder change in the same burst.
    mutating func note(_ trigger: ReloadTrigger, at now: ContinuousClock.Instant) {
        if pending != .hangup { pending = trigger }
        if first == nil { first = now }
        last = now
    }

    /// When the pending reload is due; nil when nothing is pending.
    var due: ContinuousClock.Instant? {
        guard pending != nil, let first, let last else { return nil }
        return min(last + quiet, first + longest)
    }

    /// The pending reload, if it is due at `now`; it is then no longer pending.
    mutating func take(at now: ContinuousClock.Instant) -> ReloadTrigger? {
        guard let due, due <= now, let trigger = pending else { return nil }
        pending = nil
        first = nil
        last = nil
        return trigger
    }
}
