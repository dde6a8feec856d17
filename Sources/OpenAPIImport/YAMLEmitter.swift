import Foundation
import GatehouseJSON

/// Writes JSON values as block-style YAML for people to read: short
/// mappings of scalars on one line (`{ type: string, required: true }`),
/// multi-line text as literal blocks, everything else nested.
struct YAMLEmitter: Sendable {
    /// The widest a one-line mapping or list may get before it is nested.
    var flowWidth = 100

    /// The lines of `key: value` with the key at `indent` spaces.
    func entry(_ key: String, _ value: JSONValue, indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        let renderedKey = YAMLScalar.render(key, in: .block)
        switch value {
        case .string(let text) where YAMLScalar.fitsLiteralBlock(text):
            let block = YAMLScalar.literalBlock(text, indent: indent + 2)
            return ["\(pad)\(renderedKey): \(block.header)"] + block.lines
        case .object(let members) where !members.isEmpty:
            if let flow = flow(value, limit: flowWidth - pad.count - renderedKey.count - 2) {
                return ["\(pad)\(renderedKey): \(flow)"]
            }
            return ["\(pad)\(renderedKey):"] + members.flatMap { entry($0.key, $0.value, indent: indent + 2) }
        case .array(let elements) where !elements.isEmpty:
            if let flow = flow(value, limit: flowWidth - pad.count - renderedKey.count - 2) {
                return ["\(pad)\(renderedKey): \(flow)"]
            }
            return ["\(pad)\(renderedKey):"] + elements.flatMap { item($0, indent: indent + 2) }
        default:
            return ["\(pad)\(renderedKey): \(scalar(value, in: .block))"]
        }
    }

    /// The lines of one `- value` list item at `indent` spaces.
    func item(_ value: JSONValue, indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        if case .object(let members) = value, !members.isEmpty, flow(value, limit: flowWidth - pad.count - 2) == nil {
            var lines: [String] = []
            for (offset, member) in members.enumerated() {
                var memberLines = entry(member.key, member.value, indent: indent + 2)
                if offset == 0 { memberLines[0] = pad + "- " + memberLines[0].dropFirst(indent + 2) }
                lines += memberLines
            }
            return lines
        }
        if case .array(let elements) = value, !elements.isEmpty, flow(value, limit: flowWidth - pad.count - 2) == nil {
            return ["\(pad)-"] + elements.flatMap { item($0, indent: indent + 2) }
        }
        if case .string(let text) = value, YAMLScalar.fitsLiteralBlock(text) {
            let block = YAMLScalar.literalBlock(text, indent: indent + 2)
            return ["\(pad)- \(block.header)"] + block.lines
        }
        return ["\(pad)- \(scalar(value, in: .block))"]
    }

    /// The one-line form of a value, or nil when it has to span lines or
    /// would be longer than `limit` (checked as it is built, so trying a
    /// large value costs no more than the limit).
    func flow(_ value: JSONValue, limit: Int = .max) -> String? {
        switch value {
        case .object(let members):
            if members.isEmpty { return "{}" }
            var out = "{ "
            for (index, (key, member)) in members.enumerated() {
                let prefix = (index > 0 ? ", " : "") + YAMLScalar.render(key, in: .flow) + ": "
                guard out.count + prefix.count < limit, let rendered = flow(member, limit: limit - out.count - prefix.count) else { return nil }
                out += prefix + rendered
            }
            out += " }"
            return out.count <= limit ? out : nil
        case .array(let elements):
            var out = "["
            for (index, element) in elements.enumerated() {
                let prefix = index > 0 ? ", " : ""
                guard out.count + prefix.count < limit, let rendered = flow(element, limit: limit - out.count - prefix.count) else { return nil }
                out += prefix + rendered
            }
            out += "]"
            return out.count <= limit ? out : nil
        case .string(let text):
            if YAMLScalar.fitsLiteralBlock(text) { return nil }
            let rendered = YAMLScalar.render(text, in: .flow)
            return rendered.count <= limit ? rendered : nil
        default:
            let rendered = scalar(value, in: .flow)
            return rendered.count <= limit ? rendered : nil
        }
    }

    func scalar(_ value: JSONValue, in context: YAMLScalar.Context) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .int(let number): String(number)
        case .double(let number):
            if number.isFinite, number == number.rounded(), abs(number) < 1e15 {
                String(Int64(number))
            } else if number.isFinite {
                // A YAML 1.1 float needs a dot: `1e+20` would read as text.
                "\(number)".contains(".") ? "\(number)" : "\(number)".replacingOccurrences(of: "e", with: ".0e")
            } else {
                number.isNaN ? ".nan" : number < 0 ? "-.inf" : ".inf"
            }
        case .string(let text): YAMLScalar.render(text, in: context)
        case .array, .object: flow(value) ?? "null"
        }
    }
}
