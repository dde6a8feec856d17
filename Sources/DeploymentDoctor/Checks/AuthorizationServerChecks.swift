import GatehouseJSON

/// RFC 8414 metadata of the issuer the resource names, and what Claude
/// needs of it: PKCE with S256, and a way to become a client without an
/// arrangement (Dynamic Client Registration or Client ID Metadata Documents).
extension Examination {
    mutating func checkAuthorizationServer() async {
        guard let issuer else {
            return record(.skipped("authorization-server", "No resource metadata named an authorization server, so none was checked."))
        }
        var tried: [String] = []
        var found: (url: String, document: JSONObject)?
        for url in EndpointAddress.authorizationServerMetadataURLs(issuer: issuer) {
            tried.append(url)
            guard case .success(let response) = await get(url), response.status == 200,
                let object = (try? JSONParser.parse(response.body))?.objectValue
            else { continue }
            found = (url, object)
            break
        }
        guard let (url, document) = found else {
            return record(
                .failure(
                    "authorization-server", "No metadata for the issuer \(issuer) at \(tried.joined(separator: ", ")).",
                    fix: "Name the issuer exactly as its metadata's issuer field says, and make that metadata reachable (gatehouse: GATEHOUSE_AUTH_ISSUERS)."))
        }
        guard document["issuer"]?.stringValue == issuer else {
            return record(
                .failure(
                    "authorization-server", "\(url) says its issuer is \(document["issuer"]?.stringValue ?? "(none)"), not \(issuer): clients must reject it.",
                    fix: "List the issuer exactly as its metadata spells it, trailing slash included."))
        }
        let missing = ["authorization_endpoint", "token_endpoint"].filter { document[$0]?.stringValue == nil }
        guard missing.isEmpty else {
            return record(
                .failure(
                    "authorization-server", "\(url) has no \(missing.joined(separator: " or ")).",
                    fix: "The authorization code flow needs both endpoints in the metadata."))
        }
        record(.pass("authorization-server", "The issuer's metadata is at \(url)."))
        checkPKCE(document)
        await checkClientRegistration(document)
    }

    mutating func checkPKCE(_ document: JSONObject) {
        let methods = document["code_challenge_methods_supported"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if methods.contains("S256") {
            record(.pass("pkce", "PKCE with S256 is offered."))
        } else {
            record(
                .failure(
                    "pkce", methods.isEmpty
                        ? "The metadata has no code_challenge_methods_supported: MCP clients refuse to sign in without PKCE S256."
                        : "code_challenge_methods_supported is \(methods) without S256: MCP clients refuse to sign in.",
                    fix: "Turn on PKCE with S256 at the authorization server and list it in code_challenge_methods_supported."))
        }
    }

    mutating func checkClientRegistration(_ document: JSONObject) async {
        let registration = document["registration_endpoint"]?.stringValue
        let cimd = document["client_id_metadata_document_supported"]?.boolValue == true
        let authMethods = document["token_endpoint_auth_methods_supported"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if cimd {
            if authMethods.contains("none") {
                record(.pass("client-id-metadata", "Client ID Metadata Documents are accepted."))
            } else {
                record(
                    .warning(
                        "client-id-metadata", "Client ID Metadata Documents are announced, but token_endpoint_auth_methods_supported lacks none: Claude will not use them.",
                        fix: "List none among the token endpoint's auth methods."))
            }
        }
        guard let registration else {
            if !cimd {
                record(
                    .warning(
                        "client-registration", "Neither Dynamic Client Registration nor Client ID Metadata Documents: each user must paste a client id and secret into Claude's advanced settings.",
                        fix: "Offer registration_endpoint (RFC 7591) or client_id_metadata_document_supported, or put an authorization server that does in front (gatehouse: GATEHOUSE_AUTH=builtin)."))
            }
            return
        }
        guard options.registerClient else {
            return record(.pass("client-registration", "Dynamic Client Registration is offered at \(registration) (not tried: --no-register)."))
        }
        await tryRegistration(at: registration)
    }

    /// Registers a public client with Claude's callback, as Claude does on
    /// every new connection.
    mutating func tryRegistration(at url: String) async {
        let request: JSONValue = [
            "client_name": "gatehouse doctor", "redirect_uris": [.string(options.redirectURI)],
            "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
            "token_endpoint_auth_method": "none",
        ]
        let sent = await send(
            DoctorRequest(
                method: "POST", url: url, headers: [("Content-Type", "application/json"), ("Accept", "application/json")], body: request.jsonBytes))
        guard case .success(let response) = sent else {
            return record(.failure("client-registration", "The registration endpoint \(url) did not answer.", fix: "Make it reachable from the internet."))
        }
        guard response.status == 201 || response.status == 200,
            let answer = (try? JSONParser.parse(response.body))?.objectValue, answer["client_id"]?.stringValue != nil
        else {
            return record(
                .failure(
                    "client-registration", "Registering a client with the redirect URI \(options.redirectURI) got \(response.status): \(Self.excerpt(response)).",
                    fix: "Accept public clients (token_endpoint_auth_method none) with Claude's callback URLs https://claude.ai/api/mcp/auth_callback and https://claude.com/api/mcp/auth_callback."))
        }
        let nulls = answer.filter { $0.value.isNull }.map(\.key)
        if !nulls.isEmpty {
            return record(
                .warning(
                    "client-registration", "The registration answer sends null for \(nulls.joined(separator: ", ")).",
                    fix: "Leave absent fields out of the answer; some clients refuse null values."))
        }
        record(.pass("client-registration", "Dynamic Client Registration accepts a client with Claude's redirect URI."))
    }
}
