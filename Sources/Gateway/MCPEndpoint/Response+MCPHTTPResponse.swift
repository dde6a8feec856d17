import Hummingbird
import MCPProtocol

extension Response {
    /// The protocol layer's answer as Hummingbird's response; an SSE answer
    /// streams its chunks as they come.
    init(_ response: MCPHTTPResponse) {
        let body: ResponseBody
        if let stream = response.stream {
            let first = response.body
            body = ResponseBody { writer in
                if !first.isEmpty { try await writer.write(ByteBuffer(bytes: first)) }
                for await chunk in stream where !chunk.isEmpty {
                    try await writer.write(ByteBuffer(bytes: chunk))
                }
                try await writer.finish(nil)
            }
        } else {
            body = response.body.isEmpty ? .init() : .init(byteBuffer: ByteBuffer(bytes: response.body))
        }
        self.init(status: response.status, headers: response.headerFields, body: body)
    }
}
