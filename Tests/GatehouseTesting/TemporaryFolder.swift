import Foundation

/// A folder of connector files in a fresh temporary directory, removed when
/// the last reference goes away.
public final class TemporaryFolder: Sendable {
    public let path: String

    public init(_ files: [String: String] = [:]) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files { try write(name, text) }
    }

    public func write(_ name: String, _ text: String) throws {
        try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8)
    }

    public func remove(_ name: String) throws {
        try FileManager.default.removeItem(atPath: path + "/" + name)
    }

    public func url(_ name: String) -> URL { URL(fileURLWithPath: path + "/" + name) }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
