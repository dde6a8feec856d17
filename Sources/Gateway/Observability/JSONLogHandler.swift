#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import GatehouseJSON
import Logging

/// Log lines as JSON objects, one per line, for log collectors:
/// `{"ts":"2026-11-26T10:00:00.123Z","level":"info","logger":"gatehouse","msg":"…",…}`
/// followed by the metadata as string fields.
///
/// Each line is written with a single `write(2)`, so lines from concurrent
/// tasks do not interleave on a pipe and no lock sits on the call path.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let fileDescriptor: Int32

    public init(label: String, fileDescriptor: Int32 = 1, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.fileDescriptor = fileDescriptor
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(
        level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String, file: String,
        function: String, line: UInt
    ) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit { merged.merge(explicit) { _, new in new } }
        JSONLine.write(to: fileDescriptor, level: level.rawValue, logger: label, message: message.description) { writer in
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) where !Self.reservedKeys.contains(key) {
                writer.append(",")
                writer.writeString(key)
                writer.append(":")
                Self.writeValue(value, into: &writer)
            }
        }
    }

    static let reservedKeys: Set<String> = ["ts", "level", "logger", "msg"]

    static func writeValue(_ value: Logger.Metadata.Value, into writer: inout JSONWriter) {
        switch value {
        case .string(let text): writer.writeString(text)
        case .stringConvertible(let convertible): writer.writeString(convertible.description)
        case .array(let values):
            writer.append("[")
            for (index, element) in values.enumerated() {
                if index > 0 { writer.append(",") }
                writeValue(element, into: &writer)
            }
            writer.append("]")
        case .dictionary(let values):
            writer.append("{")
            for (index, (key, element)) in values.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { writer.append(",") }
                writer.writeString(key)
                writer.append(":")
                writeValue(element, into: &writer)
            }
            writer.append("}")
        }
    }
}

/// One log line as a JSON object: `ts`, `level`, `logger`, `msg`, then
/// whatever fields the caller writes, each line sent with a single
/// `write(2)` so lines from concurrent tasks do not interleave on a pipe
/// and no lock sits on the call path. Shared by the log handler and the
/// audit line, which writes its fields without building a dictionary.
enum JSONLine {
    static func write(
        to fileDescriptor: Int32, level: String, logger: String, message: String, fields: (inout JSONWriter) -> Void
    ) {
        var writer = JSONWriter(capacity: 512)
        writer.append("{\"ts\":\"")
        writeTimestamp(into: &writer)
        writer.append("\",\"level\":")
        writer.writeString(level)
        writer.append(",\"logger\":")
        writer.writeString(logger)
        writer.append(",\"msg\":")
        writer.writeString(message)
        fields(&writer)
        writer.append("}\n")
        writer.bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }

    /// UTC with milliseconds, `2026-11-26T10:00:00.123Z`, digit by digit:
    /// a date formatter per line would cost more than the rest of the line.
    static func writeTimestamp(into writer: inout JSONWriter) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                writer.bytes.append(UInt8(ascii: "0") + UInt8((rest / divisor) % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4)
        writer.bytes.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2)
        writer.bytes.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2)
        writer.bytes.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2)
        writer.bytes.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2)
        writer.bytes.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2)
        writer.bytes.append(UInt8(ascii: "."))
        digits(Int(now.tv_nsec / 1_000_000), 3)
        writer.bytes.append(UInt8(ascii: "Z"))
    }
}

/// The C `write`, named apart from the methods called `write` above.
private func systemWrite(_ fileDescriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fileDescriptor, bytes, count)
}
