import GatehouseJSON
import Testing

@testable import MCPProtocol

private func message(_ text: String) throws(JSONRPCMessage.MessageError) -> JSONRPCMessage {
    let value: JSONValue
    do { value = try JSONParser.parse(text) } catch { fatalError("test input is not JSON: \(text)") }
    return try JSONRPCMessage(value)
}

private func rejection(_ text: String) -> JSONRPCMessage.MessageError? {
    do {
        _ = try message(text)
        return nil
    } catch {
        return error
    }
}

@Suite("JSON-RPC messages")
struct JSONRPCTests {
    // MARK: Encoder output parses back

    @Test func resultParsesBack() throws {
        let result: JSONObject = [
            "text": "quote \" backslash \\ newline \n tab \t nul \u{0} emoji 🎉 é",
            "number": 12345678901234567, "pi": 3.25, "flag": true, "nothing": nil, "list": [1, "two", [:]],
        ]
        let bytes = JSONRPCEncoder.result(id: .int(12), result: result)
        let parsed = try JSONParser.parse(bytes)
        #expect(parsed["jsonrpc"] == "2.0")
        #expect(parsed["id"] == 12)
        #expect(parsed["result"] == .object(result))
        #expect(parsed["result"]?["number"]?.integerValue == 12345678901234567)
        #expect(parsed["error"] == nil)
    }

    @Test func stringIdsSurvive() throws {
        let bytes = JSONRPCEncoder.result(id: .string("id \"with\" quotes/ü"), result: [:])
        let parsed = try JSONParser.parse(bytes)
        #expect(parsed["id"] == "id \"with\" quotes/ü")
        #expect(parsed["result"] == [:])
    }

    @Test func negativeAndLargeIntegerIdsSurvive() throws {
        for id in [Int64.min, -1, 0, 9, 10, Int64.max] {
            let parsed = try JSONParser.parse(JSONRPCEncoder.result(id: .int(id), result: [:]))
            #expect(parsed["id"]?.integerValue == id)
        }
    }

    @Test func splicedArrayResultParsesBack() throws {
        let elements: [[UInt8]] = [
            JSONValue.object(["name": "a", "n": 1]).jsonBytes, JSONValue.object(["name": "b\"c"]).jsonBytes,
        ]
        let bytes = JSONRPCEncoder.result(
            id: .string("l"), arrayKey: "tools", elements: elements[...], trailing: ["nextCursor": "abc", "resultType": "complete"])
        let parsed = try JSONParser.parse(bytes)
        #expect(parsed["id"] == "l")
        #expect(parsed["result"]?["tools"] == [["name": "a", "n": 1], ["name": "b\"c"]])
        #expect(parsed["result"]?["nextCursor"] == "abc")
        #expect(parsed["result"]?["resultType"] == "complete")
        #expect(parsed["result"]?.objectValue?.keys.first == "tools")
    }

    @Test func emptySplicedArrayParsesBack() throws {
        let bytes = JSONRPCEncoder.result(id: .int(1), arrayKey: "tools", elements: [], trailing: [:])
        #expect(try JSONParser.parse(bytes) == ["jsonrpc": "2.0", "id": 1, "result": ["tools": []]])
    }

    @Test func splicedSliceUsesOnlyItsElements() throws {
        let elements: [[UInt8]] = (0..<5).map { JSONValue.int(Int64($0)).jsonBytes }
        let bytes = JSONRPCEncoder.result(id: .int(1), arrayKey: "tools", elements: elements[2..<4], trailing: [:])
        #expect(try JSONParser.parse(bytes)["result"]?["tools"] == [2, 3])
    }

    @Test func errorParsesBack() throws {
        let error = JSONRPCError(code: JSONRPCError.unsupportedProtocolVersion, message: "Unsupported \"version\"", data: ["supported": ["2026-07-28"], "requested": "x"])
        let parsed = try JSONParser.parse(JSONRPCEncoder.error(id: .string("e"), error: error))
        #expect(parsed["jsonrpc"] == "2.0")
        #expect(parsed["id"] == "e")
        #expect(parsed["error"]?["code"] == -32022)
        #expect(parsed["error"]?["message"] == "Unsupported \"version\"")
        #expect(parsed["error"]?["data"]?["supported"] == ["2026-07-28"])
        #expect(parsed["result"] == nil)
    }

    @Test func errorWithoutDataHasNoDataMember() throws {
        let parsed = try JSONParser.parse(JSONRPCEncoder.error(id: .int(1), error: .methodNotFound("x/y")))
        #expect(parsed["error"]?["code"] == -32601)
        #expect(parsed["error"]?["message"] == "Method not found: x/y")
        #expect(parsed["error"]?.objectValue?.keys.contains("data") == false)
    }

    @Test func errorWithoutIdParsesBack() throws {
        let parsed = try JSONParser.parse(JSONRPCEncoder.error(id: nil, error: JSONRPCError(code: -32700, message: "Parse error")))
        #expect(parsed["error"]?["code"] == -32700)
    }

    @Test func errorWithoutIdOmitsTheIdMember() throws {
        // Regression (fixed), this used to fail: JSONRPCEncoder.error writes `"id":null` when the id is unknown
        // (parse errors, 403, 405, 413, invalid id). The MCP schema (2025-11-25
        // and 2026-07-28) declares `id?: RequestId` with RequestId = string |
        // number, so null is not a valid value, and the transports say the
        // body "MAY comprise a JSON-RPC error response that has no id".
        let parsed = try JSONParser.parse(JSONRPCEncoder.error(id: nil, error: JSONRPCError(code: -32700, message: "Parse error")))
        #expect(parsed.objectValue?.keys.contains("id") == false)
    }

    @Test func namedCodes() {
        #expect(JSONRPCError.parseError == -32700)
        #expect(JSONRPCError.invalidRequest == -32600)
        #expect(JSONRPCError.methodNotFound == -32601)
        #expect(JSONRPCError.invalidParams == -32602)
        #expect(JSONRPCError.internalError == -32603)
        #expect(JSONRPCError.headerMismatch == -32020)
        #expect(JSONRPCError.missingRequiredClientCapability == -32021)
        #expect(JSONRPCError.unsupportedProtocolVersion == -32022)
        #expect(JSONRPCError.headerMismatch("x").code == -32020)
        #expect(JSONRPCError.invalidParams("x").code == -32602)
    }

    // MARK: Reading messages

    @Test func readsARequest() throws {
        guard case .request(let id, let method, let params) = try message(#"{"jsonrpc":"2.0","id":"r","method":"tools/list","params":{"cursor":"c"}}"#) else {
            Issue.record("not a request"); return
        }
        #expect(id == .string("r"))
        #expect(method == "tools/list")
        #expect(params == ["cursor": "c"])
    }

    @Test func readsARequestWithoutOrWithNullParams() throws {
        for text in [#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, #"{"jsonrpc":"2.0","id":1,"method":"ping","params":null}"#] {
            guard case .request(let id, "ping", let params) = try message(text) else {
                Issue.record("not a ping request: \(text)"); continue
            }
            #expect(id == .int(1))
            #expect(params.isEmpty)
        }
    }

    @Test func integralDoubleIdBecomesAnInteger() throws {
        guard case .request(let id, _, _) = try message(#"{"jsonrpc":"2.0","id":3.0,"method":"ping"}"#) else {
            Issue.record("not a request"); return
        }
        #expect(id == .int(3))
    }

    @Test func readsANotification() throws {
        guard case .notification(let method, let params) = try message(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#) else {
            Issue.record("not a notification"); return
        }
        #expect(method == "notifications/initialized")
        #expect(params.isEmpty)
    }

    @Test(arguments: [#"{"jsonrpc":"2.0","id":1,"result":{}}"#, #"{"jsonrpc":"2.0","id":"a","error":{"code":1,"message":"m"}}"#])
    func readsAResponse(text: String) throws {
        guard case .response = try message(text) else {
            Issue.record("not a response"); return
        }
    }

    @Test func rejectionsCarryTheIdWhenReadable() {
        let missingVersion = rejection(#"{"id":5,"method":"ping"}"#)
        #expect(missingVersion?.id == .int(5))
        #expect(missingVersion?.error.code == -32600)

        let badParams = rejection(#"{"jsonrpc":"2.0","id":"p","method":"ping","params":[1]}"#)
        #expect(badParams?.id == .string("p"))
        #expect(badParams?.error.code == -32602)

        let badId = rejection(#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#)
        #expect(badId?.id == nil)
        #expect(badId?.error.code == -32600)
    }

    @Test(arguments: [
        #"[]"#, #"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#, #""x""#, #"{"jsonrpc":2.0,"id":1,"method":"ping"}"#,
        #"{"jsonrpc":"2.0","id":{},"method":"ping"}"#, #"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#,
        #"{"jsonrpc":"2.0","id":false,"method":"ping"}"#, #"{"jsonrpc":"2.0","id":1,"method":null}"#,
        #"{"jsonrpc":"2.0","result":{}}"#,
    ])
    func invalidRequests(text: String) {
        #expect(rejection(text)?.error.code == -32600)
    }
}
