import Foundation
import GatehouseJSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Removes the credentials a connector sends from anything that comes back.
///
/// An upstream may echo the request it got (a debugging endpoint, a 401
/// quoting the `Authorization` header, a proxy's error page), and whatever
/// the upstream says goes to the model. The gateway knows the exact values it
/// sends, so it looks for those, in every form they take on the wire: as
/// written, JSON-escaped, percent-encoded and base64-encoded (basic auth).
///
/// Searching runs over the raw answer, before it is parsed: an answer
/// without a secret in it, the common case, is not copied.
public struct SecretRedactor: Sendable {
    public static let replacement = "[REDACTED]"
    /// Shorter values are not searched for: they would match ordinary text
    /// and say little about the secret.
    public static let minimumLength = 4

    /// Every form of every secret, longest first so a longer form is
    /// replaced whole before a shorter one inside it.
    let needles: [[UInt8]]

    public static let none = SecretRedactor(needles: [])

    init(needles: [[UInt8]]) {
        self.needles = needles
    }

    /// - Parameter secrets: the values as the gateway sends them.
    public init(secrets: [String]) {
        var forms = Set<String>()
        for secret in secrets where secret.utf8.count >= Self.minimumLength {
            forms.insert(secret)
            var escaped = JSONValue.string(secret).jsonString
            escaped.removeFirst()
            escaped.removeLast()
            forms.insert(escaped)
            if let encoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) { forms.insert(encoded) }
            forms.insert(Data(secret.utf8).base64EncodedString())
        }
        self.needles = forms.map { Array($0.utf8) }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
    }

    public var isEmpty: Bool { needles.isEmpty }

    /// The bytes with every secret replaced, or nil when none occurs.
    public func redact(_ bytes: [UInt8]) -> [UInt8]? {
        guard !needles.isEmpty, !bytes.isEmpty else { return nil }
        var current = bytes
        var changed = false
        let replacement = Array(Self.replacement.utf8)
        for needle in needles {
            guard let first = Self.find(needle, in: current, from: 0) else { continue }
            var result: [UInt8] = []
            result.reserveCapacity(current.count)
            var start = 0
            var match: Int? = first
            while let at = match {
                result.append(contentsOf: current[start..<at])
                result.append(contentsOf: replacement)
                start = at + needle.count
                match = Self.find(needle, in: current, from: start)
            }
            result.append(contentsOf: current[start...])
            current = result
            changed = true
        }
        return changed ? current : nil
    }

    /// The text with every secret replaced.
    public func redact(_ text: String) -> String {
        guard let redacted = redact(Array(text.utf8)) else { return text }
        return String(decoding: redacted, as: UTF8.self)
    }

    /// The first occurrence of `needle` at or after `start`: `memchr` to the
    /// next candidate first byte, then `memcmp`, both vectorised by libc.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, start < haystack.count, haystack.count - start >= needle.count else { return nil }
        return haystack.withUnsafeBytes { hay -> Int? in
            needle.withUnsafeBytes { pin -> Int? in
                guard let base = hay.baseAddress, let pinBase = pin.baseAddress else { return nil }
                var offset = start
                let lastStart = hay.count - pin.count
                while offset <= lastStart {
                    guard let hit = memchr(base + offset, Int32(first), lastStart - offset + 1) else { return nil }
                    let position = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + position, pinBase, pin.count) == 0 { return position }
                    offset = position + 1
                }
                return nil
            }
        }
    }
}
