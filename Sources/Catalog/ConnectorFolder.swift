import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How much of the file system a reload may read.
///
/// A connector folder is configuration, not data: anything very large in
/// it is a mistake (or an attack), and reading it whole would cost memory
/// out of all proportion to the file (YAML nodes are much bigger than their
/// text).
public struct LoadLimits: Sendable, Equatable {
    /// The largest connector file read; larger ones are a file problem.
    public var maxFileBytes: Int = 4 << 20
    /// All connector files of the folder together.
    public var maxFolderBytes: Int = 64 << 20

    public init(maxFileBytes: Int = 4 << 20, maxFolderBytes: Int = 64 << 20) {
        self.maxFileBytes = maxFileBytes
        self.maxFolderBytes = maxFolderBytes
    }
}

/// One connector file as the loader got it: its text, or why there is none.
public struct LoadedSource: Sendable {
    public var file: String
    public var text: String?
    /// Why `text` is missing, as a file problem.
    public var problem: String?

    public init(file: String, text: String?, problem: String? = nil) {
        self.file = file
        self.text = text
        self.problem = problem
    }
}

/// Reads the connector files of a folder, refusing what does not belong:
/// links that lead out of the folder, files over the size limits.
///
/// Links inside the folder are followed, which is how Kubernetes mounts a
/// ConfigMap (`file.yaml → ..data/file.yaml`, `..data → ..2024_…`). A link
/// to anywhere else (`shadow.yaml → /etc/shadow`) is never opened: whatever
/// it names would otherwise end up in problem texts on `/status`.
public struct ConnectorFolder: Sendable {
    public let path: String
    public var limits: LoadLimits

    public init(path: String, limits: LoadLimits = LoadLimits()) {
        self.path = path
        self.limits = limits
    }

    public struct FolderError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The connector files: `*.yaml` and `*.yml`, skipping hidden entries
    /// such as the `..data` folder of a ConfigMap mount. A path that names a
    /// file is that one file.
    public func files() throws(FolderError) -> [String] {
        try listing().files
    }

    /// Whether a folder entry is a connector file: `*.yaml` or `*.yml`, not
    /// hidden (which skips a ConfigMap's `..data` and editors' temporaries).
    static func isConnectorFile(_ name: String) -> Bool {
        !name.hasPrefix(".") && (name.hasSuffix(".yaml") || name.hasSuffix(".yml")) && !EndpointsFile.names.contains(name)
    }

    /// Whether a change to this folder entry calls for a reload: connector
    /// files, the lock and the endpoints file.
    public static func isWatchedFile(_ name: String) -> Bool {
        isConnectorFile(name) || name == ConnectorLock.fileName || EndpointsFile.names.contains(name)
    }

    /// The folder a lock or endpoints file lives in: the folder itself, or
    /// the one holding a single connector file.
    public var folder: String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            let parent = (path as NSString).deletingLastPathComponent
            return parent.isEmpty ? "." : parent
        }
        return path
    }

    /// One of the folder's own files (the lock, the endpoints file) under
    /// the same rules as connector files: inside the folder, within the
    /// size limit. `nil` when it does not exist.
    public func readSpecial(_ name: String) -> LoadedSource? {
        let folder = self.folder
        let file = folder.hasSuffix("/") ? folder + name : folder + "/" + name
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        let root = Self.realPath(folder)
        switch Self.read(file, maxBytes: limits.maxFileBytes, within: root) {
        case .text(let text, _): return LoadedSource(file: file, text: text)
        case .tooLarge: return LoadedSource(file: file, text: nil, problem: "file is larger than \(limits.maxFileBytes) bytes; not read")
        case .unreadable(let reason): return LoadedSource(file: file, text: nil, problem: reason)
        case .outside: return LoadedSource(file: file, text: nil, problem: "refused: a link to a file outside the connector folder")
        }
    }

    private func listing() throws(FolderError) -> (files: [String], isFolder: Bool) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw FolderError(description: "\(path): no such folder")
        }
        guard isDirectory.boolValue else { return ([path], false) }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw FolderError(description: "\(path): cannot list the folder")
        }
        let files = names.filter(Self.isConnectorFile).sorted().map { path.hasSuffix("/") ? path + $0 : path + "/" + $0 }
        return (files, true)
    }

    /// Every connector file's text, in name order, within the limits.
    public func read() throws(FolderError) -> [LoadedSource] {
        let (files, isFolder) = try listing()
        let root = isFolder ? Self.realPath(path) : nil
        var total = 0
        var sources: [LoadedSource] = []
        sources.reserveCapacity(files.count)
        for file in files {
            if let root {
                guard let real = Self.realPath(file), real.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
                    sources.append(LoadedSource(
                        file: file, text: nil, problem: "refused: a link to a file outside the connector folder"))
                    continue
                }
            }
            let remaining = limits.maxFolderBytes - total
            switch Self.read(file, maxBytes: min(limits.maxFileBytes, max(0, remaining)), within: root) {
            case .text(let text, let size):
                total += size
                sources.append(LoadedSource(file: file, text: text))
            case .tooLarge(let size):
                let problem =
                    size > limits.maxFileBytes || remaining >= limits.maxFileBytes
                    ? "file is larger than \(limits.maxFileBytes) bytes (GATEHOUSE_MAX_CONNECTOR_FILE_BYTES); not read"
                    : "the connector files together are larger than \(limits.maxFolderBytes) bytes (GATEHOUSE_MAX_CONNECTORS_BYTES); this one was not read"
                sources.append(LoadedSource(file: file, text: nil, problem: problem))
            case .unreadable(let reason):
                sources.append(LoadedSource(file: file, text: nil, problem: reason))
            case .outside:
                sources.append(LoadedSource(
                    file: file, text: nil, problem: "refused: a link to a file outside the connector folder"))
            }
        }
        return sources
    }

    enum ReadOutcome {
        case text(String, size: Int)
        case tooLarge(size: Int)
        case unreadable(String)
        case outside
    }

    /// Reads at most `maxBytes`, deciding from the size before reading and
    /// again from what was read, so a file that grows meanwhile cannot slip
    /// past the limit.
    /// - Parameter root: the folder's real path; the file actually opened
    ///   must lie inside it. Checked again on the open descriptor, because a
    ///   link can be swapped between the first check and the open.
    static func read(_ file: String, maxBytes: Int, within root: String? = nil) -> ReadOutcome {
        let descriptor = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return .unreadable("cannot read file") }
        defer { close(descriptor) }
        if let root {
            guard let opened = realPath("/proc/self/fd/\(descriptor)"), opened.hasPrefix(root.hasSuffix("/") ? root : root + "/")
            else { return .outside }
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return .unreadable("cannot read file") }
        guard (status.st_mode & S_IFMT) == S_IFREG else { return .unreadable("not a regular file; not read") }
        let size = Int(status.st_size)
        guard size <= maxBytes else { return .tooLarge(size: size) }
        var bytes = [UInt8](repeating: 0, count: min(size, maxBytes) + 1)
        var count = 0
        while count < bytes.count {
            let read = bytes.withUnsafeMutableBytes { buffer in
                systemRead(descriptor, buffer.baseAddress! + count, buffer.count - count)
            }
            if read < 0 {
                if errno == EINTR { continue }
                return .unreadable("cannot read file")
            }
            if read == 0 { break }
            count += read
        }
        guard count <= maxBytes else { return .tooLarge(size: count) }
        guard let text = String(validating: bytes[..<count], as: UTF8.self) else {
            return .unreadable("file is not valid UTF-8 text")
        }
        return .text(text, size: count)
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

#if canImport(Glibc)
private let systemRead = Glibc.read
#elseif canImport(Musl)
private let systemRead = Musl.read
#elseif canImport(Darwin)
private let systemRead = Darwin.read
#endif
