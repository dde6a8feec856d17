/// A bearer token as the caller presented it.
///
/// A type of its own so it cannot be printed by accident: its description,
/// and so any log line or interpolation that reaches it, shows nothing of
/// the value.
public struct PresentedToken: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    public var description: String { "[token]" }
    public var debugDescription: String { "[token]" }
}
