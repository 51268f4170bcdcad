/// An error a captain or an administrator can act on: what was wrong, with
/// which value, and what to do. The HTTP API turns it into an RFC 9457 problem
/// document; the command-line tools print `detail`.
public struct AvisoError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The input is malformed or fails validation (422 / 400).
        case invalid
        /// A translation or template is missing for a recipient's language (G6).
        case missingTranslation = "missing-translation"
        /// The thing named does not exist (404).
        case notFound = "not-found"
        /// The request conflicts with the current state (409).
        case conflict
        /// No valid credentials (401).
        case unauthorized
        /// Valid credentials without the right role (403).
        case forbidden
        /// Configuration or templates are unusable (administrator's error).
        case configuration
        /// Too many failed attempts from one source: wait `retryAfter` seconds (429).
        case tooManyRequests = "too-many-requests"
    }

    public var kind: Kind
    /// A short, stable summary of the kind of problem.
    public var title: String
    /// What exactly was wrong, and what to do about it.
    public var detail: String
    /// The input field at fault, as a JSON path (`contact_points[0].address`), if any.
    public var field: String?
    /// For `tooManyRequests`: seconds until the source may try again (the `Retry-After` header).
    public var retryAfter: Int?

    public init(_ kind: Kind, title: String, detail: String, field: String? = nil) {
        self.kind = kind
        self.title = title
        self.detail = detail
        self.field = field
    }

    public var description: String { detail }

    public static func invalid(_ field: String?, _ detail: String) -> AvisoError {
        AvisoError(.invalid, title: "Invalid input", detail: detail, field: field)
    }

    public static func notFound(_ what: String, _ value: String) -> AvisoError {
        AvisoError(.notFound, title: "Not found", detail: "No \(what) '\(value)' exists.")
    }

    public static func conflict(_ detail: String) -> AvisoError {
        AvisoError(.conflict, title: "Conflict", detail: detail)
    }

    /// Prefixes the field path, so nested validation reports the full path.
    public func nested(in parent: String) -> AvisoError {
        var copy = self
        copy.field = field.map { $0.hasPrefix("[") ? parent + $0 : parent + "." + $0 } ?? parent
        return copy
    }
}
