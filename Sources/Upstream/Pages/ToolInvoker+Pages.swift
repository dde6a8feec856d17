import Caller
import ConnectorModel
import Foundation
import GatehouseJSON

/// Paginated tools: where a call starts, how a page is asked for, how the
/// next one is found, and gathering several pages into one result.
extension ToolInvoker {
    /// The page this call asks for: the one its `cursor` names (taken out
    /// of the arguments), or the first.
    func startingPage(of pagination: Pagination, tool: ToolDefinition, arguments: inout JSONObject, caller: CallerIdentity) throws(PageCursors.Refusal)
        -> PageState?
    {
        guard let raw = arguments.removeValue(forKey: Pagination.cursorArgument) else { return Self.firstPage(of: pagination) }
        guard case .string(let cursor) = raw else { throw .malformed }
        return try cursors.open(cursor, tool: tool.name, arguments: arguments, caller: caller.subject)
    }

    static func firstPage(of pagination: Pagination) -> PageState? {
        switch pagination.style {
        case .cursor, .link: nil
        case .page: .page(pagination.first)
        case .offset: .offset(0)
        }
    }

    /// The request for `page`: its query parameters set (the page size
    /// too), or for a `Link` the URL the API named, which must stay on the
    /// API's own origin. Nil when it would not.
    static func applying(_ page: PageState?, of pagination: Pagination, to request: UpstreamRequest, target: UpstreamTarget) -> UpstreamRequest? {
        var request = request
        request.page = page
        var items: [(String, String)] = []
        switch page {
        case nil: break
        case .cursor(let cursor)?: if let param = pagination.param { items.append((param, cursor)) }
        case .page(let number)?: if let param = pagination.param { items.append((param, String(number))) }
        case .offset(let offset)?: if let param = pagination.param { items.append((param, String(offset))) }
        case .link(let url)?:
            let origin = target.baseURL.origin
            guard url.hasPrefix(origin + "/") || url == origin else { return nil }
            request.url = url
            request.displayURL = String(url.prefix { $0 != "?" })
            return request
        }
        if let size = pagination.sizeParameter {
            items.append((size, String(pagination.size)))
        }
        request.url = Self.replacingQuery(items, in: request.url)
        return request
    }

    /// The URL with these query items set, replacing any of the same name.
    static func replacingQuery(_ items: [(String, String)], in url: String) -> String {
        guard !items.isEmpty else { return url }
        let names = Set(items.map(\.0))
        var base = url
        var kept: [Substring] = []
        if let question = url.firstIndex(of: "?") {
            base = String(url[..<question])
            kept = url[url.index(after: question)...].split(separator: "&").filter { item in
                let name = item.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
                return !names.contains(name.removingPercentEncoding ?? name)
            }
        }
        let added = items.map { Self.encode($0.0) + "=" + Self.encode($0.1) }
        return base + "?" + (kept.map(String.init) + added).joined(separator: "&")
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    /// Reads pages until there are no more, the call may gather no more
    /// (`max_pages`, `max_bytes`), or one fails; the result holds every item
    /// read, shaped, and the cursor of the next page when there is one.
    func sendPaged(_ first: UpstreamRequest, tool: ToolDefinition, target: UpstreamTarget, pagination: Pagination) async -> Outcome {
        let started = ContinuousClock.now
        var current = first
        var items: [JSONValue] = []
        var bytes = 0
        var pages = 0
        var attempts = 0
        var status: Int?
        var next: PageState?
        while true {
            let fetched = await fetch(current, tool: tool, target: target)
            var response: UpstreamResponse
            switch fetched {
            case .answer(let answer, let tries):
                attempts += tries
                response = answer
            case .failure(let failure, let tries):
                attempts += tries
                guard pages > 0 else {
                    return Outcome(
                        result: .error(message(for: failure, request: current, target: target)), kind: failure.kind,
                        upstreamDuration: ContinuousClock.now - started, attempts: attempts)
                }
                // Keep what was read; the cursor asks for this page again.
                next = current.page
                return finish(items, next: next, first: first, tool: tool, status: status, bytes: bytes, started: started, attempts: attempts)
            }
            guard (200..<300).contains(response.status) else {
                guard pages > 0 else {
                    return Outcome(
                        result: shaper.shape(response, tool: tool, request: current), kind: .upstreamError, upstreamStatus: response.status,
                        responseBytes: response.body.count, upstreamDuration: ContinuousClock.now - started, attempts: attempts)
                }
                next = current.page
                break
            }
            if let redacted = current.redactor.redact(response.body) { response.body = redacted }
            if let redacted = current.credentialRedactor.redact(response.body) { response.body = redacted }
            guard let value = try? JSONParser.parse(response.body) else {
                guard pages > 0 else {
                    return Outcome(
                        result: shaper.shape(response, tool: tool, request: current), kind: .ok, upstreamStatus: response.status,
                        responseBytes: response.body.count, upstreamDuration: ContinuousClock.now - started, attempts: attempts)
                }
                break
            }
            status = response.status
            let list = ResponseShaper.select(pagination.items, in: value)
            let read = list.arrayValue ?? (list.isNull ? [] : [list])
            items += read
            bytes += response.body.count
            pages += 1
            next = Self.page(after: current.page, read: read.count, answer: value, link: response.link, pagination: pagination, target: target)
            guard let upcoming = next, pages < pagination.maxPages, pagination.maxBytes.map({ bytes < $0 }) ?? true, !Task.isCancelled,
                let request = Self.applying(upcoming, of: pagination, to: first, target: target)
            else { break }
            current = request
        }
        return finish(items, next: next, first: first, tool: tool, status: status, bytes: bytes, started: started, attempts: attempts)
    }

    func finish(
        _ items: [JSONValue], next: PageState?, first: UpstreamRequest, tool: ToolDefinition, status: Int?, bytes: Int,
        started: ContinuousClock.Instant, attempts: Int
    ) -> Outcome {
        let cursor = next.flatMap { first.sealCursor?($0) }
        return Outcome(
            result: shaper.shapePage(items, tool: tool, request: first, nextCursor: cursor), kind: .ok, upstreamStatus: status,
            responseBytes: bytes, upstreamDuration: ContinuousClock.now - started, attempts: attempts)
    }

    /// The page after `current`, if the answer says there is one.
    static func page(
        after current: PageState?, read: Int, answer: JSONValue, link: String?, pagination: Pagination, target: UpstreamTarget
    ) -> PageState? {
        switch pagination.style {
        case .cursor:
            let value = ResponseShaper.select(pagination.next, in: answer)
            if let text = value.stringValue, !text.isEmpty { return .cursor(text) }
            if let number = value.integerValue { return .cursor(String(number)) }
            return nil
        case .page:
            guard read > 0, pagination.sizeParameter == nil || read >= pagination.size else { return nil }
            if case .page(let number)? = current { return .page(number + 1) }
            return .page(pagination.first + 1)
        case .offset:
            guard read > 0, pagination.sizeParameter == nil || read >= pagination.size else { return nil }
            if case .offset(let offset)? = current { return .offset(offset + read) }
            return .offset(read)
        case .link:
            guard let link, let url = nextLink(in: link) else { return nil }
            let absolute = url.hasPrefix("/") ? target.baseURL.origin + url : url
            // Another host would receive the API's credentials: never.
            guard absolute.hasPrefix(target.baseURL.origin + "/") else { return nil }
            return .link(absolute)
        }
    }

    /// The target of `rel="next"` in an RFC 8288 `Link` header value.
    static func nextLink(in header: String) -> String? {
        for entry in header.split(separator: ",") {
            let parts = entry.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let target = parts.first, target.hasPrefix("<"), target.hasSuffix(">") else { continue }
            let isNext = parts.dropFirst().contains { parameter in
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2, pair[0].lowercased() == "rel" else { return false }
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased().split(separator: " ").contains("next")
            }
            if isNext { return String(target.dropFirst().dropLast()) }
        }
        return nil
    }
}
