import Foundation
import GatehouseJSON

/// `gatehouse doctor`: checks a deployed MCP endpoint the way Claude and the
/// SDK clients approach it — transport, sign-in discovery, client
/// registration, both protocol eras, the tool list and Origin handling —
/// and says for each what passed and what to change.
///
/// It is a client from the outside, written against the specifications
/// and what Claude is known to expect, never against this server's code:
/// the same checks hold for any MCP server.
public struct DeploymentDoctor: Sendable {
    public struct Options: Sendable {
        /// An access token for the protocol checks on a server that
        /// requires sign-in; never printed.
        public var token: String?
        /// Whether to register a client by Dynamic Client Registration, as
        /// Claude does on every new connection. It leaves a client behind.
        public var registerClient = true
        /// The redirect URI Claude registers.
        public var redirectURI = "https://claude.ai/api/mcp/auth_callback"

        public init(token: String? = nil, registerClient: Bool = true) {
            self.token = token
            self.registerClient = registerClient
        }
    }

    let transport: any DoctorTransport
    let options: Options

    public init(transport: any DoctorTransport, options: Options = Options()) {
        self.transport = transport
        self.options = options
    }

    /// Every check, in the order a client meets them.
    public func examine(_ url: String) async -> [DoctorFinding] {
        guard let endpoint = EndpointAddress(url) else {
            return [
                .failure(
                    "endpoint", "\(url) is not an absolute http(s) URL without credentials or fragment.",
                    fix: "Give the MCP endpoint's full URL, as a user pastes it into Claude, e.g. https://mcp.example.com/mcp.")
            ]
        }
        var examination = Examination(endpoint: endpoint, transport: transport, options: options)
        await examination.run()
        return examination.findings
    }
}

/// The state of one examination: what each check found that later ones
/// need (whether sign-in is required, the issuer).
struct Examination {
    let endpoint: EndpointAddress
    let transport: any DoctorTransport
    let options: Options
    typealias Options = DeploymentDoctor.Options

    var findings: [DoctorFinding] = []
    /// Set once the first unauthenticated call has been answered.
    var requiresSignIn = false
    var challengeMetadataURL: String?
    var issuer: String?

    init(endpoint: EndpointAddress, transport: any DoctorTransport, options: Options) {
        self.endpoint = endpoint
        self.transport = transport
        self.options = options
    }

    mutating func run() async {
        checkScheme()
        guard await checkFirstContact() else { return }
        await checkLooseProbe()
        if requiresSignIn {
            await checkResourceMetadata()
            await checkAuthorizationServer()
        }
        await checkProtocol()
        await checkOrigin()
        await checkGetProbe()
    }

    mutating func record(_ finding: DoctorFinding) {
        var finding = finding
        if let token = options.token, !token.isEmpty {
            finding.summary = finding.summary.replacingOccurrences(of: token, with: "[token]")
            finding.fix = finding.fix?.replacingOccurrences(of: token, with: "[token]")
        }
        findings.append(finding)
    }

    // MARK: Requests

    /// A POST of one JSON-RPC message to the endpoint.
    func post(
        _ message: JSONValue, headers extra: [(name: String, value: String)] = [], accept: String? = "application/json, text/event-stream",
        signedIn: Bool = true
    ) async -> Result<DoctorResponse, DoctorTransportError> {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if let accept { headers.append(("Accept", accept)) }
        if signedIn, let token = options.token { headers.append(("Authorization", "Bearer \(token)")) }
        headers += extra
        return await send(DoctorRequest(method: "POST", url: endpoint.url, headers: headers, body: message.jsonBytes))
    }

    func get(_ url: String, headers: [(name: String, value: String)] = [("Accept", "application/json")]) async -> Result<DoctorResponse, DoctorTransportError> {
        await send(DoctorRequest(method: "GET", url: url, headers: headers))
    }

    func send(_ request: DoctorRequest) async -> Result<DoctorResponse, DoctorTransportError> {
        do {
            return .success(try await transport.send(request))
        } catch {
            return .failure(error)
        }
    }

    /// A short quote of an answer's body for a finding, never long.
    static func excerpt(_ response: DoctorResponse) -> String {
        let text = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return "an empty body" }
        let cut = text.count > 160 ? String(text.prefix(160)) + "…" : text
        return "“\(cut)”"
    }
}

/// The messages of the checks: an initialize of the legacy era, and a
/// request of the 2026-07-28 era, whose version travels in each request.
enum DoctorMessages {
    static let modern = "2026-07-28"
    static let legacy = "2025-11-25"
    /// What Claude's connectors speak in the legacy era.
    static let legacyVersionsClaudeSpeaks: Set<String> = ["2025-03-26", "2025-06-18", "2025-11-25"]

    static func initialize(id: Int) -> JSONValue {
        [
            "jsonrpc": "2.0", "id": .int(Int64(id)), "method": "initialize",
            "params": [
                "protocolVersion": .string(legacy), "capabilities": [:],
                "clientInfo": ["name": "gatehouse-doctor", "version": "1"],
            ],
        ]
    }

    static func modernRequest(_ method: String, id: Int, params: JSONObject = [:]) -> JSONValue {
        var params = params
        params["_meta"] = [
            "io.modelcontextprotocol/protocolVersion": .string(modern),
            "io.modelcontextprotocol/clientCapabilities": [:],
            "io.modelcontextprotocol/clientInfo": ["name": "gatehouse-doctor", "version": "1"],
        ]
        return ["jsonrpc": "2.0", "id": .int(Int64(id)), "method": .string(method), "params": .object(params)]
    }

    static func modernHeaders(_ method: String) -> [(name: String, value: String)] {
        [("MCP-Protocol-Version", modern), ("Mcp-Method", method)]
    }
}
