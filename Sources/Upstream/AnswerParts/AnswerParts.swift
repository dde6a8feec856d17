import Caller
import ConnectorModel
import Foundation
import GatehouseJSON

/// Offers the rest of an answer cut at `max_bytes` as further parts: the
/// result keeps its first part and gains a `resource_link`; reading that
/// link returns the next part and a link to the one after.
///
/// Where the rest comes from when a link is read, in order: this process's
/// memory, the store shared by replicas (for calls that must not be sent
/// twice), and — only for calls that may be sent again — the same call made
/// again as the same user, accepted only if it gives the same answer.
public struct AnswerParts: Sendable {
    public let links: AnswerLinks
    let memory: any AnswerStore
    /// Shared by replicas; holds answers that cannot be rebuilt.
    let shared: (any AnswerStore)?

    public init(links: AnswerLinks = .random(), memory: any AnswerStore = MemoryAnswerStore(), shared: (any AnswerStore)? = nil) {
        self.links = links
        self.memory = memory
        self.shared = shared
    }

    /// Arguments longer than this are not carried in a link; such an
    /// answer is kept instead of rebuilt.
    static let maxCarriedArguments = 4096

    /// Turns the truncation note of a cut result into a link to the rest.
    public func offerRest(
        of result: inout ToolResult, tool: ToolDefinition, arguments: JSONObject, caller: String?, endpoint: String?, now: Date = Date()
    ) async {
        guard let overflow = result.overflow, !result.isError, case .object(var block)? = result.content.first,
            block["type"] == "text"
        else { return }
        let id = AnswerLinks.newID()
        let callerKey = caller ?? ""
        let expires = now.addingTimeInterval(Double(links.lifetime.components.seconds))
        let canonical = String(decoding: JSONValue.object(arguments).canonicalBytes, as: UTF8.self)
        let rebuildable = Self.mayBeRepeated(tool) && canonical.utf8.count <= Self.maxCarriedArguments
        await memory.save(id: id, caller: callerKey, text: overflow.full, expires: expires)
        if !rebuildable, let shared { await shared.save(id: id, caller: callerKey, text: overflow.full, expires: expires) }
        let total = overflow.full.utf8.count
        let part = AnswerLinks.Part(
            id: id, tool: tool.name, endpoint: endpoint ?? "", caller: callerKey, arguments: rebuildable ? canonical : nil,
            offset: overflow.shown, size: max(1, tool.response.maxBytes), total: total, digest: AnswerLinks.digest(overflow.full),
            expires: Int64(expires.timeIntervalSince1970), mimeType: result.mimeType)
        let uri = links.uri(for: part)
        let shown = String(decoding: overflow.full.utf8.prefix(overflow.shown), as: UTF8.self)
        block["text"] = .string(shown + Self.note(shown: overflow.shown, total: total, next: uri, tool: tool.name))
        result.content[0] = .object(block)
        var link: JSONObject = [
            "type": "resource_link", "uri": .string(uri), "name": .string("\(tool.name)-rest"),
            "title": .string("The rest of the \(tool.name) answer"),
            "description": .string("Bytes \(overflow.shown + 1)–\(total) of \(total), read one part at a time"),
            "size": .int(Int64(total - overflow.shown)),
        ]
        if let mimeType = result.mimeType { link["mimeType"] = .string(mimeType) }
        result.content.append(.object(link))
    }

    /// Whether the call may be made again to rebuild its answer: it only
    /// reads, or says it is idempotent and destroys nothing, and it did not
    /// ask the user first. Anything else is never sent twice for a read.
    public static func mayBeRepeated(_ tool: ToolDefinition) -> Bool {
        guard tool.confirmation == nil else { return false }
        return tool.isReadOnly || (tool.isIdempotent && tool.annotations.destructive != true)
    }

    static func note(shown: Int, total: Int, next: String, tool: String) -> String {
        "\n[truncated: showing bytes 1–\(shown) of \(total). The rest of this \(tool) answer is the resource \(next) — read it with resources/read, one part at a time]"
    }

    /// What reading a link came to.
    public enum Read: Sendable {
        case part(text: String, next: String?, mimeType: String?)
        /// Not a link of this server.
        case unknown
        case refused(String)
    }

    /// Gets the whole answer again when neither store has it.
    public enum Rebuilt: Sendable {
        case text(String)
        case failed(String)
    }

    /// Reads the part a link points at. `rebuild` makes the call again
    /// with the link's arguments; it is used only for calls that may be.
    public func read(
        _ uri: String, caller: String?, endpoint: String?, now: Date = Date(),
        rebuild: (_ tool: String, _ arguments: JSONObject) async -> Rebuilt
    ) async -> Read {
        let part: AnswerLinks.Part
        do {
            part = try links.open(uri, caller: caller, endpoint: endpoint, now: now)
        } catch .malformed {
            return .unknown
        } catch {
            return .refused("This part of an answer cannot be read: \(error).")
        }
        var text = await memory.load(id: part.id, caller: part.caller, now: now)
        if text == nil, let shared { text = await shared.load(id: part.id, caller: part.caller, now: now) }
        if text == nil {
            guard let carried = part.arguments else {
                return .refused(
                    "The rest of this \(part.tool) answer is no longer held, and the call is not one the gateway sends twice. "
                        + "Call \(part.tool) again if that is safe.")
            }
            guard case .object(let arguments)? = try? JSONParser.parse(Array(carried.utf8)) else { return .unknown }
            switch await rebuild(part.tool, arguments) {
            case .failed(let reason): return .refused(reason)
            case .text(let rebuilt):
                guard AnswerLinks.digest(rebuilt) == part.digest else {
                    return .refused("The \(part.tool) answer has changed since its first part was read; call \(part.tool) again.")
                }
                await memory.save(id: part.id, caller: part.caller, text: rebuilt, expires: Date(timeIntervalSince1970: Double(part.expires)))
                text = rebuilt
            }
        }
        guard let text, text.utf8.count == part.total, part.offset < part.total, part.offset >= 0 else {
            return .refused("This part of the \(part.tool) answer is out of range.")
        }
        let utf8 = text.utf8
        var end = ResponseShaper.boundary(in: utf8, atMost: part.offset + part.size)
        if end <= part.offset {
            // A part smaller than one character still moves on by one.
            end = part.offset + 1
            while end < part.total, utf8[utf8.index(utf8.startIndex, offsetBy: end)] & 0xC0 == 0x80 { end += 1 }
        }
        let start = utf8.index(utf8.startIndex, offsetBy: part.offset)
        let slice = String(decoding: utf8[start..<utf8.index(start, offsetBy: end - part.offset)], as: UTF8.self)
        guard end < part.total else { return .part(text: slice, next: nil, mimeType: part.mimeType) }
        var next = part
        next.offset = end
        let nextURI = links.uri(for: next)
        return .part(
            text: slice + "\n[part: bytes \(part.offset + 1)–\(end) of \(part.total); the next part is the resource \(nextURI)]",
            next: nextURI, mimeType: part.mimeType)
    }
}

extension AnswerParts {
    /// The `_meta` key of a part's contents naming the next part's URI.
    public static let nextPartMetaKey = "gatehouse/next"
}
