import Yams

/// One entry of `resources:`: its address, then the GET request behind it,
/// read by the tool reader so a resource has exactly a tool's request keys.
extension ConnectorReader {
    mutating func readResource(_ node: Yams.Node) -> ResourceDefinition? {
        guard let byKey = decoding.mapping(node, "a resource", keys: ResourceKey.self) else { return nil }
        let before = decoding.diagnostics.count
        guard let nameEntry = byKey[.name], let name = decoding.string(nameEntry.value, "resource name") else {
            decoding.error(node, "resource is missing required key 'name'")
            return nil
        }
        guard NameRules.isToolName(name) else {
            decoding.error(nameEntry.value, "resource name '\(name)' must be 1-64 characters of A-Z, a-z, 0-9, '_', '-' and '.'")
            return nil
        }
        var address: ResourceDefinition.Address?
        switch (byKey[.uri], byKey[.uriTemplate]) {
        case (let uri?, nil):
            if let text = decoding.string(uri.value, "uri") {
                if Self.isAbsoluteURI(text) { address = .fixed(text) } else { decoding.error(uri.value, "uri must be an absolute URI such as tickets://open") }
            }
        case (nil, let template?):
            if let text = decoding.string(template.value, "uri_template") {
                do { address = .template(try URITemplate(parsing: text)) } catch { decoding.error(template.value, error.message) }
            }
        case (_?, _?):
            decoding.error(node, "resource '\(name)' has both uri and uri_template; give one")
        case (nil, nil):
            decoding.error(node, "resource '\(name)' needs a uri or a uri_template")
        }
        let title = byKey[.title].flatMap { decoding.string($0.value, "title") }
        let description = byKey[.description].flatMap { decoding.string($0.value, "description") }
        let mimeType = byKey[.mimeType].flatMap { decoding.string($0.value, "mime_type") }
        guard decoding.diagnostics.count == before, let address else { return nil }

        // The request, as a GET tool whose arguments are the variables.
        var pairs: [(Yams.Node, Yams.Node)] = [
            (Yams.Node("name"), nameEntry.value),
            (Yams.Node("description"), byKey[.description]?.value ?? Yams.Node("Resource \(name)")),
        ]
        let requestKeys: [ResourceKey] = [.path, .query, .headers, .response, .timeout, .maxResponseBytes, .limits, .retries, .scopes, .parameters]
        for key in requestKeys {
            if let entry = byKey[key] { pairs.append((entry.keyNode, entry.value)) }
        }
        if byKey[.parameters] == nil, case .template(let template) = address {
            let defaults = template.variables.map { variable -> (Yams.Node, Yams.Node) in
                (Yams.Node(variable), Yams.Node([(Yams.Node("type"), Yams.Node("string")), (Yams.Node("required"), Yams.Node("true"))]))
            }
            pairs.append((Yams.Node("parameters"), .mapping(Yams.Node.Mapping(defaults, .implicit, .any, node.mark))))
        }
        let synthesized = Yams.Node.mapping(Yams.Node.Mapping(pairs, .implicit, .any, node.mark))
        guard let request = readTool(synthesized) else { return nil }
        let variables: Set<String> = if case .template(let template) = address { Set(template.variables) } else { [] }
        let declared = Set(request.parameters.map(\.name))
        for variable in variables.subtracting(declared).sorted() {
            decoding.error(byKey[.parameters]?.value ?? node, "uri_template variable {\(variable)} has no parameter")
        }
        for parameter in declared.subtracting(variables).sorted() where request.parameters.first(where: { $0.name == parameter })?.required == true {
            decoding.error(byKey[.parameters]?.value ?? node, "parameter '\(parameter)' is required but not a uri_template variable")
        }
        guard decoding.diagnostics.count == before else { return nil }
        return ResourceDefinition(address: address, name: name, title: title, description: description, mimeType: mimeType, request: request)
    }

    static func isAbsoluteURI(_ text: String) -> Bool {
        guard let colon = text.firstIndex(of: ":"), colon > text.startIndex else { return false }
        let scheme = text[..<colon]
        return scheme.first!.isLetter && scheme.allSatisfy { $0.isLetter || $0.isNumber || "+-.".contains($0) }
            && !text.contains(where: \.isWhitespace)
    }
}
