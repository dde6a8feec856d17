/// One HTTP exchange the doctor makes, as a client on the internet would.
public struct DoctorRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// What came back: the status, the headers and the whole body.
public struct DoctorResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, whatever its case.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// How the doctor reaches a deployment. The real one is
/// ``HTTPDoctorTransport``; tests script the answers of a deployment
/// configured right or wrong without a network.
public protocol DoctorTransport: Sendable {
    /// Sends one request without following redirects (a redirect is a
    /// finding, not something to hide). Throws ``DoctorTransportError``
    /// when no answer came.
    func send(_ request: DoctorRequest) async throws(DoctorTransportError) -> DoctorResponse
}

/// No answer: the host is unknown, the connection was refused, TLS failed
/// or the peer was silent past the time limit.
public struct DoctorTransportError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
