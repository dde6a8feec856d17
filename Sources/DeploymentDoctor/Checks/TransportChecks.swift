import Foundation
import GatehouseJSON

/// The checks of the connection itself: HTTPS, the first unauthenticated
/// call and its challenge, the loose probes Claude sends, and Origin.
extension Examination {
    mutating func checkScheme() {
        if endpoint.scheme == "https" {
            record(.pass("https", "The endpoint is served over HTTPS."))
        } else if endpoint.isLoopback {
            record(
                .warning(
                    "https", "\(endpoint.url) is plain HTTP on this machine: fine for a local check, but Claude connects only over HTTPS.",
                    fix: "Before users connect, put a TLS-terminating proxy in front and check its https:// URL."))
        } else {
            record(
                .failure(
                    "https", "\(endpoint.url) is plain HTTP: Claude connects only over HTTPS, and tokens would cross the network in clear.",
                    fix: "Serve the endpoint over HTTPS (a TLS-terminating proxy in front) and publish that URL (gatehouse: GATEHOUSE_PUBLIC_URL)."))
        }
    }

    /// An `initialize` without a token: either the server answers (no
    /// sign-in) or it challenges with a pointer to its resource metadata.
    /// Returns false when the endpoint cannot be reached at all.
    mutating func checkFirstContact() async -> Bool {
        let response: DoctorResponse
        switch await post(DoctorMessages.initialize(id: 1), signedIn: false) {
        case .failure(let error):
            record(
                .failure(
                    "reachable", "No answer from \(endpoint.url): \(error).",
                    fix: "Check the URL, DNS, the firewall and that the server is running; the remaining checks need an answer."))
            return false
        case .success(let answer):
            response = answer
        }
        switch response.status {
        case 401:
            requiresSignIn = true
            record(.pass("reachable", "The endpoint answers, and asks for sign-in (401)."))
            checkChallenge(response)
        case 200..<300:
            record(.pass("reachable", "The endpoint answers initialize without sign-in."))
            record(
                .warning(
                    "sign-in", "The endpoint answers without a token: anyone who can reach it can call every tool, and upstream calls cannot act as the user.",
                    fix: "Require OAuth sign-in unless the tools are meant to be public (gatehouse: GATEHOUSE_AUTH=oauth or builtin)."))
        case 300..<400:
            record(
                .failure(
                    "reachable", "The endpoint redirects (\(response.status) to \(response.header("location") ?? "nowhere")); MCP clients do not follow redirects on POST.",
                    fix: "Give the final URL, the one that answers the POST itself."))
            return false
        default:
            record(
                .failure(
                    "reachable", "initialize without a token got HTTP \(response.status) instead of 401 or an answer: \(Self.excerpt(response)).",
                    fix: "The MCP endpoint must answer POST with JSON-RPC, or 401 with a WWW-Authenticate challenge when sign-in is required. Check the path (often /mcp)."))
            return false
        }
        return true
    }

    /// RFC 9728 §5.1: the challenge carries the metadata's absolute URL.
    mutating func checkChallenge(_ response: DoctorResponse) {
        guard let challenge = response.header("www-authenticate"), challenge.lowercased().hasPrefix("bearer") else {
            return record(
                .failure(
                    "challenge", "The 401 has no Bearer WWW-Authenticate challenge.",
                    fix: "Answer 401 with WWW-Authenticate: Bearer resource_metadata=\"<absolute URL of the protected resource metadata>\"."))
        }
        guard let value = Self.parameter("resource_metadata", in: challenge) else {
            return record(
                .failure(
                    "challenge", "The 401 challenge names no resource_metadata: clients must guess where sign-in starts.",
                    fix: "Add resource_metadata=\"\(endpoint.resourceMetadataURLs.pathInserted)\" to the Bearer challenge."))
        }
        guard let address = EndpointAddress(value) else {
            return record(
                .failure(
                    "challenge", "The challenge's resource_metadata \"\(value)\" is not an absolute URL.",
                    fix: "Send the absolute URL (\(endpoint.resourceMetadataURLs.pathInserted)); relative ones are not resolved by clients (gatehouse: set GATEHOUSE_PUBLIC_URL)."))
        }
        challengeMetadataURL = value
        guard address.origin == endpoint.origin else {
            return record(
                .warning(
                    "challenge", "The challenge points at resource metadata on another origin (\(value)).",
                    fix: "Check that the server's public URL is the one users type (gatehouse: GATEHOUSE_PUBLIC_URL)."))
        }
        record(.pass("challenge", "The 401 challenge points at \(value)."))
    }

    /// Claude's first probes come with `Accept: */*` and no version header.
    mutating func checkLooseProbe() async {
        guard case .success(let response) = await post(DoctorMessages.initialize(id: 2), accept: "*/*", signedIn: false) else {
            return record(.failure("loose-probe", "A probe with Accept: */* got no answer.", fix: "Answer it like any other initialize."))
        }
        switch response.status {
        case 406, 415:
            record(
                .failure(
                    "loose-probe", "A probe with Accept: */* and no MCP-Protocol-Version got \(response.status).",
                    fix: "Treat Accept: */* as accepting JSON, and a missing version header as the default version; Claude probes this way."))
        case 200..<300, 401:
            record(.pass("loose-probe", "A probe with Accept: */* and no version header is answered (\(response.status))."))
        default:
            record(
                .warning(
                    "loose-probe", "A probe with Accept: */* and no version header got \(response.status): \(Self.excerpt(response)).",
                    fix: "Answer it as an initialize with JSON."))
        }
    }

    /// Browsers send `Origin`; a server that accepts any lets a web page
    /// drive it from a signed-in user's browser (DNS rebinding).
    mutating func checkOrigin() async {
        let probe = "https://gatehouse-doctor.invalid"
        guard case .success(let response) = await post(DoctorMessages.initialize(id: 3), headers: [("Origin", probe)]) else {
            return record(.failure("origin", "A request with a foreign Origin got no answer.", fix: "Answer it with 403."))
        }
        switch response.status {
        case 403:
            record(.pass("origin", "A request from a foreign Origin is refused (403)."))
        case 401 where options.token == nil:
            record(.skipped("origin", "A foreign Origin got 401: the origin is checked after sign-in, or not at all; pass --token to tell."))
        case 200..<300:
            record(
                .failure(
                    "origin", "A request with Origin: \(probe) was accepted: a web page on any site could call this server from a user's browser.",
                    fix: "Refuse requests whose Origin is not yours with 403; list only trusted origins (gatehouse: GATEHOUSE_ALLOWED_ORIGINS, never *)."))
        default:
            record(
                .warning(
                    "origin", "A request with a foreign Origin got \(response.status), not 403.",
                    fix: "Refuse untrusted origins with 403 Forbidden before anything else."))
        }
    }

    /// Claude probes the endpoint with GET; 405 is a fine answer, a
    /// missing route or a server error is not.
    mutating func checkGetProbe() async {
        var headers: [(name: String, value: String)] = [("Accept", "text/event-stream")]
        if let token = options.token { headers.append(("Authorization", "Bearer \(token)")) }
        guard case .success(let response) = await get(endpoint.url, headers: headers) else {
            return record(.failure("get-probe", "GET on the endpoint got no answer.", fix: "Answer GET (405 is fine)."))
        }
        switch response.status {
        case 200..<300, 400, 401, 405:
            record(.pass("get-probe", "GET on the endpoint is answered (\(response.status))."))
        default:
            record(
                .warning(
                    "get-probe", "GET on the endpoint got \(response.status).",
                    fix: "Answer GET with 405 Method Not Allowed (or a stream); clients probe it."))
        }
    }

    /// A parameter of an HTTP authentication challenge, quoted or not.
    static func parameter(_ name: String, in challenge: String) -> String? {
        guard let range = challenge.range(of: name + "=", options: .caseInsensitive) else { return nil }
        let rest = challenge[range.upperBound...]
        if rest.hasPrefix("\"") {
            let value = rest.dropFirst()
            guard let end = value.firstIndex(of: "\"") else { return nil }
            return String(value[..<end])
        }
        return String(rest.prefix { $0 != "," && $0 != " " })
    }
}
