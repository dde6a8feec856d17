import GatehouseJSON

/// A JSON-RPC request id: MCP allows strings and integers, never `null`.
public enum JSONRPCID: Sendable, Hashable {
    case int(Int64)
    case string(String)

    public var json: JSONValue {
        switch self {
        case .int(let i): .int(i)
        case .string(let s): .string(s)
        }
    }

    /// The id a JSON value names, if it is a string or an integer.
    public init?(json: JSONValue) {
        switch json {
        case .int(let i): self = .int(i)
        case .string(let s): self = .string(s)
        default: return nil
        }
    }
}

/// A JSON-RPC error object. The codes MCP uses are named here.
public struct JSONRPCError: Error, Sendable, Equatable {
    public var code: Int
    public var message: String
    public var data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public static let parseError = -32700
    public static let invalidRequest = -32600
    public static let methodNotFound = -32601
    public static let invalidParams = -32602
    public static let internalError = -32603
    /// Implementation-defined: an unknown or terminated legacy session.
    public static let sessionNotFound = -32001
    /// A resource that does not exist, before 2026-07-28 (which uses −32602).
    public static let resourceNotFound = -32002
    public static let headerMismatch = -32020
    public static let missingRequiredClientCapability = -32021
    public static let unsupportedProtocolVersion = -32022
    /// 2025-11-25: the request needs a URL elicitation completed first.
    public static let urlElicitationRequired = -32042

    public static func invalidParams(_ message: String) -> JSONRPCError {
        JSONRPCError(code: invalidParams, message: message)
    }

    public static func methodNotFound(_ method: String) -> JSONRPCError {
        JSONRPCError(code: methodNotFound, message: "Method not found: \(method)")
    }

    public static func headerMismatch(_ message: String) -> JSONRPCError {
        JSONRPCError(code: headerMismatch, message: "Header mismatch: \(message)")
    }

    var json: JSONValue {
        var object: JSONObject = ["code": .int(Int64(code)), "message": .string(message)]
        if let data { object["data"] = data }
        return .object(object)
    }
}

/// One message a client POSTs.
public enum JSONRPCMessage: Sendable {
    case request(id: JSONRPCID, method: String, params: JSONObject)
    case notification(method: String, params: JSONObject)
    /// A client's answer to a server request (an `elicitation/create` on a
    /// legacy call's stream): its id and result, or nil for an error.
    case response(id: JSONRPCID, result: JSONObject?)

    /// Reads a message, or says why it is not a valid JSON-RPC 2.0 message.
    /// The error carries the id when one could be read.
    public init(_ value: JSONValue) throws(MessageError) {
        guard case .object(let object) = value else {
            if case .array = value {
                throw MessageError(id: nil, error: JSONRPCError(code: JSONRPCError.invalidRequest, message: "Batch requests are not supported"))
            }
            throw MessageError(id: nil, error: JSONRPCError(code: JSONRPCError.invalidRequest, message: "A JSON-RPC message must be an object"))
        }
        var id: JSONRPCID?
        switch object["id"] {
        case .int(let i)?: id = .int(i)
        case .string(let s)?: id = .string(s)
        case nil: id = nil
        case .double(let d)? where d.rounded() == d && abs(d) < 9e15: id = .int(Int64(d))
        default:
            throw MessageError(id: nil, error: JSONRPCError(code: JSONRPCError.invalidRequest, message: "id must be a string or an integer"))
        }
        guard case .string("2.0")? = object["jsonrpc"] else {
            throw MessageError(id: id, error: JSONRPCError(code: JSONRPCError.invalidRequest, message: "jsonrpc must be \"2.0\""))
        }
        guard let methodValue = object["method"] else {
            if object["result"] != nil || object["error"] != nil, let id {
                self = .response(id: id, result: object["result"]?.objectValue)
                return
            }
            throw MessageError(id: id, error: JSONRPCError(code: JSONRPCError.invalidRequest, message: "method is missing"))
        }
        guard case .string(let method) = methodValue, !method.isEmpty else {
            throw MessageError(id: id, error: JSONRPCError(code: JSONRPCError.invalidRequest, message: "method must be a non-empty string"))
        }
        var params = JSONObject()
        switch object["params"] {
        case nil, .null?: break
        case .object(let p)?: params = p
        default:
            throw MessageError(id: id, error: JSONRPCError.invalidParams("params must be an object"))
        }
        if let id {
            self = .request(id: id, method: method, params: params)
        } else {
            self = .notification(method: method, params: params)
        }
    }

    public struct MessageError: Error, Sendable {
        public var id: JSONRPCID?
        public var error: JSONRPCError
    }
}

/// Encodes JSON-RPC responses straight to bytes.
public enum JSONRPCEncoder {
    public static func result(id: JSONRPCID, result: JSONObject) -> [UInt8] {
        var writer = JSONWriter(capacity: 512)
        writer.append("{\"jsonrpc\":\"2.0\",\"id\":")
        writer.write(id.json)
        writer.append(",\"result\":")
        writer.write(.object(result))
        writer.append("}")
        return writer.bytes
    }

    /// A result whose `members` are written first, followed by pre-encoded
    /// JSON array members under `arrayKey` and then `trailing` members.
    /// Used by `tools/list` to splice cached tool descriptors.
    public static func result(
        id: JSONRPCID, arrayKey: String, elements: ArraySlice<[UInt8]>, trailing: JSONObject
    ) -> [UInt8] {
        var capacity = 128
        for element in elements { capacity += element.count + 1 }
        var writer = JSONWriter(capacity: capacity)
        writer.append("{\"jsonrpc\":\"2.0\",\"id\":")
        writer.write(id.json)
        writer.append(",\"result\":{")
        writer.writeString(arrayKey)
        writer.append(":[")
        var first = true
        for element in elements {
            if !first { writer.append(",") }
            first = false
            writer.writeRaw(element)
        }
        writer.append("]")
        for (key, value) in trailing {
            writer.append(",")
            writer.writeString(key)
            writer.append(":")
            writer.write(value)
        }
        writer.append("}}")
        return writer.bytes
    }

    public static func error(id: JSONRPCID?, error: JSONRPCError) -> [UInt8] {
        var writer = JSONWriter(capacity: 128)
        // Without a known request id the member is left out, as MCP's
        // schema (an optional string or number) asks.
        if let id {
            writer.append("{\"jsonrpc\":\"2.0\",\"id\":")
            writer.write(id.json)
            writer.append(",\"error\":")
        } else {
            writer.append("{\"jsonrpc\":\"2.0\",\"error\":")
        }
        writer.write(error.json)
        writer.append("}")
        return writer.bytes
    }
}
