import CYaml

/// Refuses, before the YAML parser builds anything, the two kinds of
/// mapping key that let a small file make the parser itself do exponential
/// work: an alias, and a collection (a "complex" key).
///
/// The parser compares mapping keys for duplicates by hashing them whole,
/// and hashing an alias walks everything it stands for, so a chain of
/// aliases used as a key ("billion laughs" in key position) never returns.
/// The decoder's own value budget cannot help: it runs after parsing.
/// Connector files have no use for either kind of key.
///
/// The check reads libyaml's event stream — the same parser, without
/// building nodes — so it sees exactly what the parser will see: a
/// Markdown `**Note**:` inside a quoted or block description is text, not
/// an alias. Reading events is linear in the file's size. A file that does
/// not parse is passed on, so the parser reports its error as usual.
enum AliasKeyCheck {
    static func refusal(in text: String, file: String) -> Diagnostic? {
        // Without a `*` there is no alias; a collection key without one is
        // hashed in time linear in its own size.
        guard text.utf8.contains(UInt8(ascii: "*")) else { return nil }
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return nil }
            return KeyEvents(bytes: base, count: bytes.count).firstRefusedKey().map {
                Diagnostic(file: file, line: $0.line, column: $0.column, message: $0.message)
            }
        }
    }
}

/// Walks libyaml's events, keeping for each open collection whether the
/// next node in it is a mapping key.
private struct KeyEvents {
    let bytes: UnsafePointer<UInt8>
    let count: Int

    struct Refusal {
        var line: Int
        var column: Int
        var message: String
    }

    private enum Frame {
        case sequence
        case mapping(nextIsKey: Bool)
    }

    func firstRefusedKey() -> Refusal? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_input_string(&parser, bytes, count)
        var frames: [Frame] = []
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
            defer { yaml_event_delete(&event) }
            let type = event.type
            switch type {
            case YAML_STREAM_END_EVENT:
                return nil
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                frames.removeLast()
                continue
            case YAML_SCALAR_EVENT, YAML_ALIAS_EVENT, YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                break
            default:
                continue
            }
            if case .mapping(let nextIsKey) = frames.last {
                if nextIsKey, type != YAML_SCALAR_EVENT {
                    return Refusal(
                        line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1,
                        message: type == YAML_ALIAS_EVENT
                            ? "a YAML alias cannot be a mapping key"
                            : "complex mapping keys (a list or a mapping as a key) are not supported")
                }
                frames[frames.count - 1] = .mapping(nextIsKey: !nextIsKey)
            }
            if type == YAML_SEQUENCE_START_EVENT { frames.append(.sequence) }
            if type == YAML_MAPPING_START_EVENT { frames.append(.mapping(nextIsKey: true)) }
        }
    }
}
