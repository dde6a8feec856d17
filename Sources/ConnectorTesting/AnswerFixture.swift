import ConnectorModel
import Foundation
import GatehouseJSON
import Upstream

/// A recorded exchange with a live API, as `gatehouse test --record`
/// writes it beside the tests (`fixtures/<test file>/<case>.json`): the
/// answer a case replays, and the request that got it, for people to read.
/// Secret values and credential headers are replaced before anything is
/// written.
struct AnswerFixture {
    var answer: RecordedAnswer
    var request: JSONObject

    /// Headers whose value is a credential whatever it looks like.
    static let credentialHeaders: Set<String> = ["authorization", "proxy-authorization", "cookie", "x-api-key", "api-key"]
    static let scrubbed = "[scrubbed]"

    /// The fixture of one exchange, with the request's secrets (and the
    /// obtained credential) replaced wherever they appear, and the values
    /// of credential headers and of `scrubHeaders` replaced whole.
    init(request: UpstreamRequest, response: UpstreamResponse, scrubHeaders: Set<String>) {
        let redact = { (text: String) in request.credentialRedactor.redact(request.redactor.redact(text)) }
        let redactBytes = { (bytes: [UInt8]) -> [UInt8] in
            let once = request.redactor.redact(bytes) ?? bytes
            return request.credentialRedactor.redact(once) ?? once
        }
        let body = redactBytes(response.body)
        var headers: [String: String] = [:]
        if let link = response.link { headers["Link"] = redact(link) }
        if let retryAfter = response.retryAfter { headers["Retry-After"] = String(retryAfter.components.seconds) }
        answer = RecordedAnswer(status: response.status, contentType: response.contentType, body: body, headers: headers)
        var sent = JSONObject()
        sent["method"] = .string(request.method.rawValue)
        sent["url"] = .string(redact(request.url))
        var sentHeaders = JSONObject()
        let scrub = Set(scrubHeaders.map { $0.lowercased() }).union(Self.credentialHeaders)
        for header in request.headers {
            sentHeaders[header.name] = .string(scrub.contains(header.name.lowercased()) ? Self.scrubbed : redact(header.value))
        }
        sent["headers"] = .object(sentHeaders)
        if let body = request.body {
            sent["body"] = Self.bodyValue(redactBytes(body), contentType: request.header("Content-Type"))
        }
        self.request = sent
    }

    init(answer: RecordedAnswer, request: JSONObject) {
        self.answer = answer
        self.request = request
    }

    /// A JSON body as its value, other text as a string.
    static func bodyValue(_ bytes: [UInt8], contentType: String?) -> JSONValue {
        if contentType?.lowercased().contains("json") ?? true, let value = try? JSONParser.parse(bytes) { return value }
        return .string(String(decoding: bytes, as: UTF8.self))
    }

    var json: JSONValue {
        var answerObject = JSONObject()
        answerObject["status"] = .int(Int64(answer.status))
        if let contentType = answer.contentType { answerObject["content_type"] = .string(contentType) }
        if !answer.headers.isEmpty {
            answerObject["headers"] = .object(JSONObject(uniqueKeysWithValues: answer.headers.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
        }
        if answer.contentType?.lowercased().contains("json") ?? false, let value = try? JSONParser.parse(answer.body) {
            answerObject["body"] = value
        } else if let text = String(validating: answer.body, as: UTF8.self) {
            answerObject["body_text"] = .string(text)
        } else {
            answerObject["body_base64"] = .string(Data(answer.body).base64EncodedString())
        }
        return ["request": .object(request), "answer": .object(answerObject)]
    }

    struct Unreadable: Error, CustomStringConvertible {
        var description: String
    }

    static func read(_ path: String) throws(Unreadable) -> AnswerFixture {
        guard let data = FileManager.default.contents(atPath: path) else { throw Unreadable(description: "\(path): cannot read the fixture") }
        let value: JSONValue
        do { value = try JSONParser.parse(Array(data)) } catch { throw Unreadable(description: "\(path): not JSON: \(error)") }
        guard let answer = value["answer"]?.objectValue else { throw Unreadable(description: "\(path): no 'answer' object") }
        guard let status = answer["status"]?.integerValue, (100...599).contains(status) else {
            throw Unreadable(description: "\(path): the answer needs a 'status' between 100 and 599")
        }
        let contentType = answer["content_type"]?.stringValue
        var headers: [String: String] = [:]
        for (name, value) in answer["headers"]?.objectValue ?? [:] { headers[name] = value.stringValue }
        let recorded: RecordedAnswer
        if let body = answer["body"] {
            recorded = RecordedAnswer(status: Int(status), contentType: contentType ?? "application/json", body: body.jsonBytes, headers: headers)
        } else if let text = answer["body_text"]?.stringValue {
            recorded = RecordedAnswer(status: Int(status), contentType: contentType ?? "text/plain", body: Array(text.utf8), headers: headers)
        } else if let base64 = answer["body_base64"]?.stringValue {
            guard let data = Data(base64Encoded: base64) else { throw Unreadable(description: "\(path): 'body_base64' is not base64") }
            recorded = RecordedAnswer(status: Int(status), contentType: contentType, body: Array(data), headers: headers)
        } else {
            recorded = RecordedAnswer(status: Int(status), contentType: contentType, body: [], headers: headers)
        }
        return AnswerFixture(answer: recorded, request: value["request"]?.objectValue ?? [:])
    }

    func write(to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data((PrettyJSON.text(json) + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
