import GatehouseJSON

/// RFC 9728: the protected resource metadata, which tells a client where to
/// sign in. Claude reads it at both well-known forms and trusts `resource`
/// only when it is exactly the URL the user typed.
extension Examination {
    mutating func checkResourceMetadata() async {
        let (inserted, root) = endpoint.resourceMetadataURLs
        var forms = [("resource-metadata", inserted)]
        if root != inserted { forms.append(("resource-metadata-root", root)) }
        if let challenge = challengeMetadataURL, challenge != inserted, challenge != root {
            forms.append(("resource-metadata-challenge", challenge))
        }
        for (check, url) in forms {
            guard let document = await metadataDocument(check, at: url) else { continue }
            checkResourceDocument(document, check: check, url: url)
        }
    }

    /// The JSON object at `url`, or nil after recording why there is none.
    mutating func metadataDocument(_ check: String, at url: String) async -> JSONObject? {
        switch await get(url) {
        case .failure(let error):
            record(.failure(check, "No answer from \(url): \(error).", fix: "Serve the metadata there without requiring a token."))
        case .success(let response) where response.status != 200:
            record(
                .failure(
                    check, "\(url) answered \(response.status), not the metadata.",
                    fix: "Serve the protected resource metadata at \(url) without a token; Claude looks at both the path-inserted and the root form."))
        case .success(let response):
            guard let document = try? JSONParser.parse(response.body), let object = document.objectValue else {
                record(.failure(check, "\(url) is not a JSON object.", fix: "Serve RFC 9728 metadata as application/json."))
                return nil
            }
            return object
        }
        return nil
    }

    mutating func checkResourceDocument(_ document: JSONObject, check: String, url: String) {
        let servers = document["authorization_servers"]?.arrayValue?.compactMap(\.stringValue) ?? []
        // Checked even when the resource is wrong: one run shows every problem.
        if issuer == nil { issuer = servers.first }
        guard let resource = document["resource"]?.stringValue else {
            return record(.failure(check, "\(url) has no resource.", fix: "Set resource to \(endpoint.url)."))
        }
        guard resource == endpoint.url else {
            return record(
                .failure(
                    check, "\(url) names the resource \(resource), but the endpoint is \(endpoint.url): clients refuse metadata for another resource.",
                    fix: "Make the server's public URL exactly the one users type, scheme, host, port and path (gatehouse: GATEHOUSE_PUBLIC_URL, without /mcp)."))
        }
        guard let first = servers.first else {
            return record(
                .failure(check, "\(url) lists no authorization_servers.", fix: "List the issuer users sign in with (gatehouse: GATEHOUSE_AUTH_ISSUERS)."))
        }
        record(.pass(check, "\(url) names this resource and the authorization server \(first)."))
    }
}
