/// What asked for a reload; its raw value names the reason in logs.
public enum ReloadTrigger: String, Sendable {
    /// The folder watcher saw a change: only changed files are reread.
    case folderChanged = "folder changed"
    /// SIGHUP: every file is reread, so rotated `${file:…}` secrets are taken.
    case hangup = "SIGHUP"
}
