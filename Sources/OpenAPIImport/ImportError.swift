/// Why a document could not become a connector file. Each message says what
/// to do about it, since it is all the person running the command sees.
public struct ImportError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }

    static func invalidYAML(_ detail: String) -> ImportError {
        ImportError("the document is neither valid JSON nor valid YAML: \(detail)")
    }

    static func invalidJSON(_ detail: String) -> ImportError {
        ImportError("the document starts like JSON but is not valid JSON: \(detail)")
    }

    static let notAMapping = ImportError("not an OpenAPI document: the top level is not an object")

    static let notOpenAPI = ImportError("not an OpenAPI document: it has no 'openapi' version field")

    static func swagger(_ version: String) -> ImportError {
        ImportError(
            "this is a Swagger \(version) document; only OpenAPI 3.0, 3.1 and 3.2 are supported "
                + "(convert it first, for example with swagger2openapi)")
    }

    static func unsupportedVersion(_ version: String) -> ImportError {
        ImportError("unsupported OpenAPI version '\(version)'; 3.0.x, 3.1.x and 3.2.x are supported")
    }

    static func invalidDocument(_ detail: String) -> ImportError {
        ImportError("invalid OpenAPI document: \(detail)")
    }

    static func unresolvableReference(_ detail: String) -> ImportError {
        ImportError("cannot resolve the document's references: \(detail)")
    }
}
