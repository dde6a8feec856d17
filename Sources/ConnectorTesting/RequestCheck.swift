import Foundation
import ConnectorModel
import GatehouseJSON
import Upstream

/// Holds the request a call sent against what its case expects; only what
/// the case states is checked.
struct RequestCheck {
    let expected: ExpectedRequest

    func mismatches(_ requests: [UpstreamRequest]) -> [Mismatch] {
        if expected.none {
            guard let request = requests.first else { return [] }
            return [Mismatch(what: "request", expected: "none", actual: "\(request.method.rawValue) \(request.url)")]
        }
        guard let request = requests.first else {
            return [Mismatch(what: "request", expected: "one to the API", actual: "none (the call ended before reaching the API)")]
        }
        var found: [Mismatch] = []
        if let method = expected.method, method != request.method.rawValue {
            found.append(Mismatch(what: "method", expected: method, actual: request.method.rawValue))
        }
        let (base, query) = Self.split(request.url)
        if let url = expected.url {
            let actual = url.contains("?") ? request.url : base
            if url != actual { found.append(Mismatch(what: "url", expected: url, actual: actual)) }
        }
        if let expectedQuery = expected.query {
            let wanted = Self.normalized(.object(expectedQuery))
            let got = JSONValue.object(Self.parameters(query))
            if wanted != got {
                found.append(Mismatch(
                    what: "query", expected: PrettyJSON.text(wanted, sortingKeys: true), actual: PrettyJSON.text(got, sortingKeys: true)))
            }
        }
        for (name, value) in expected.headers {
            let actual = request.header(name)
            if actual != value {
                found.append(Mismatch(what: "header \(name)", expected: value.map(Self.quoted) ?? "absent", actual: actual.map(Self.quoted) ?? "absent"))
            }
        }
        if let body = expected.body { found += bodyMismatches(body, actual: request.body) }
        return found
    }

    /// A string is the body's exact text; any other value is compared as
    /// JSON, whatever the order of members or the spacing.
    private func bodyMismatches(_ body: JSONValue, actual bytes: [UInt8]?) -> [Mismatch] {
        guard let bytes else { return [Mismatch(what: "body", expected: "a body", actual: "none")] }
        if case .string(let text) = body {
            let actual = String(decoding: bytes, as: UTF8.self)
            return text == actual ? [] : [Mismatch(what: "body", expected: Self.quoted(text), actual: Self.quoted(actual))]
        }
        guard let actual = try? JSONParser.parse(bytes) else {
            return [Mismatch(what: "body", expected: "JSON", actual: Self.quoted(String(decoding: bytes, as: UTF8.self)))]
        }
        guard body != actual else { return [] }
        return [Mismatch(what: "body", expected: PrettyJSON.text(body, sortingKeys: true), actual: PrettyJSON.text(actual, sortingKeys: true))]
    }

    static func split(_ url: String) -> (base: String, query: Substring) {
        guard let mark = url.firstIndex(of: "?") else { return (url, "") }
        return (String(url[..<mark]), url[url.index(after: mark)...])
    }

    /// The query's parameters, decoded: a string each, a list for a name
    /// given more than once.
    static func parameters(_ query: Substring) -> JSONObject {
        var parameters = JSONObject()
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(parts[0])
            let value = JSONValue.string(parts.count > 1 ? decode(parts[1]) : "")
            switch parameters[name] {
            case nil: parameters[name] = value
            case .array(var values)?:
                values.append(value)
                parameters[name] = .array(values)
            case let first?: parameters[name] = .array([first, value])
            }
        }
        return parameters
    }

    /// Expected values as the query carries them: numbers and booleans as
    /// their text.
    static func normalized(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object): .object(object.mapValues(normalized))
        case .array(let values): .array(values.map(normalized))
        case .string, .null: value
        default: .string(value.jsonString)
        }
    }

    /// A query name or value as a form decodes it: `+` is a space.
    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    static func quoted(_ text: String) -> String {
        JSONValue.string(text).jsonString
    }
}
